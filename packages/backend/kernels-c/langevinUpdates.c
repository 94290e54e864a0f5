/*
 * The parameter updates of @sam/langevin's underdamped Langevin (BAOAB, OBA) and Adaptive Langevin
 * steps, each in one pass over a tensor, for tfjs-backend-wasm's heap (WebAssembly SIMD, simd128).
 * Without them an update is 6-9 tfjs kernels per tensor, each a full pass with a new tensor.
 *
 * Every float32 operation is the one tfjs would do, in the same order, with no contraction (wasm
 * has no fused multiply-add): the results equal the tfjs composition bit for bit. Symbols, per
 * element i (w the parameter, p its momentum, g its gradient, r a noise draw already scaled by the
 * noise source; the scalars are float32):
 *
 *   underdampedBaoab:  p1 = p - g kick;  p2 = p1 c + r;  w' = w + (p1 + p2) half;  p' = p2
 *   underdampedOba:    p2 = (p c + r) - g h;  w' = w + p2 h;  p' = p2
 *   adaptiveFirstHalf: pm = (p - g kick) decay + r                                 (B, C, D)
 *   adaptiveSecondHalf: p1 = p - g kick;  p2 = (pm + r) decay;  w' = w + (p1 + p2) half;
 *                       p' = p2                                           (D, C, both A halves)
 *
 * Pointers are byte offsets into the imported memory; n is a count of floats. No stack, no data.
 */
#include <wasm_simd128.h>

#define LOADF(p) wasm_v128_load(p)
#define STOREF(p, v) wasm_v128_store(p, v)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

/* Keeps a splat in a local instead of V8 rebuilding it inside the loop (see elementwise.c). */
static inline v128_t opaqueSplat(float s) {
  v128_t v = wasm_f32x4_splat(s);
  __asm__("" : "+r"(v));
  return v;
}

void underdampedBaoab(const float *w, const float *p, const float *g, const float *r, float *wOut, float *pOut,
                      int n, float kick, float c, float half) {
  const v128_t vk = opaqueSplat(kick), vc = opaqueSplat(c), vh = opaqueSplat(half);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t p1 = SUB(LOADF(p + i), MUL(LOADF(g + i), vk));
    const v128_t p2 = ADD(MUL(p1, vc), LOADF(r + i));
    STOREF(wOut + i, ADD(LOADF(w + i), MUL(ADD(p1, p2), vh)));
    STOREF(pOut + i, p2);
  }
  for (; i < n; i++) {
    const float p1 = p[i] - g[i] * kick;
    const float p2 = p1 * c + r[i];
    wOut[i] = w[i] + (p1 + p2) * half;
    pOut[i] = p2;
  }
}

void underdampedOba(const float *w, const float *p, const float *g, const float *r, float *wOut, float *pOut, int n,
                    float h, float c) {
  const v128_t vh = opaqueSplat(h), vc = opaqueSplat(c);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t p2 = SUB(ADD(MUL(LOADF(p + i), vc), LOADF(r + i)), MUL(LOADF(g + i), vh));
    STOREF(wOut + i, ADD(LOADF(w + i), MUL(p2, vh)));
    STOREF(pOut + i, p2);
  }
  for (; i < n; i++) {
    const float p2 = (p[i] * c + r[i]) - g[i] * h;
    wOut[i] = w[i] + p2 * h;
    pOut[i] = p2;
  }
}

void adaptiveFirstHalf(const float *p, const float *g, const float *r, float *pmOut, int n, float kick, float decay) {
  const v128_t vk = opaqueSplat(kick), vd = opaqueSplat(decay);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    STOREF(pmOut + i, ADD(MUL(SUB(LOADF(p + i), MUL(LOADF(g + i), vk)), vd), LOADF(r + i)));
  }
  for (; i < n; i++) pmOut[i] = (p[i] - g[i] * kick) * decay + r[i];
}

void adaptiveSecondHalf(const float *w, const float *p, const float *g, const float *pm, const float *r, float *wOut,
                        float *pOut, int n, float kick, float decay, float half) {
  const v128_t vk = opaqueSplat(kick), vd = opaqueSplat(decay), vh = opaqueSplat(half);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t p1 = SUB(LOADF(p + i), MUL(LOADF(g + i), vk));
    const v128_t p2 = MUL(ADD(LOADF(pm + i), LOADF(r + i)), vd);
    STOREF(wOut + i, ADD(LOADF(w + i), MUL(ADD(p1, p2), vh)));
    STOREF(pOut + i, p2);
  }
  for (; i < n; i++) {
    const float p1 = p[i] - g[i] * kick;
    const float p2 = (pm[i] + r[i]) * decay;
    wOut[i] = w[i] + (p1 + p2) * half;
    pOut[i] = p2;
  }
}

/*
 * Batched matrix product for tfjs-backend-wasm's heap, WebAssembly SIMD (simd128, no FMA).
 *
 * Symbols: batch index t, rows m < M, columns n < N, inner index k < K. The left operand is read
 * through element strides, so that a and its transpose need no copy:
 *
 *   A(t, m, k) = a[t*sa + m*am + k*ak]     (a stored [M, K]: am = K, ak = 1;
 *                                            a stored [K, M], i.e. transposed: am = 1, ak = M)
 *   B(t, k, n) = b[t*sb + k*N + n]          (rows of B contiguous; sb = 0 shares one B)
 *   out[t, m, n] = sum_k A(t, m, k) * B(t, k, n)   (+ out[t, m, n] when `accumulate` is 1)
 *
 * for batches t0 <= t < t1 and rows m0 <= m < m1 (so that two threads can split either), with
 * `scratch` KC x 8 = 2048 floats at a 16-byte aligned address owned by this call (or 0: no packing).
 *
 * Blocking: K is cut into panels of KC (the KC x 8 slice of B that a column block reads stays
 * in L1 while every row block of the panel reuses it). With 8 rows or more, that slice is first
 * copied into `scratch` (KC x 8 floats, 16-byte aligned): tfjs's tensors are only 8-byte aligned,
 * and a v128 load across a cache line made the product 25% slower. Within a panel a
 * register-blocked micro-kernel computes a 4 x 8 block of out: per k, two v128 loads of B's row k
 * and four splat loads of A's column k feed 8 v128 accumulators (8 multiplies and 8 adds).
 * Remainders use a 1 x 8 kernel (rows), 4-wide blocks, then scalar columns. The first panel
 * stores its sums (or adds them to out when accumulating); later panels add theirs.
 *
 * Pointers are byte offsets into the imported memory. No stack, no data.
 */
#include <wasm_simd128.h>

#define KC 256
#define LOADF(p) wasm_v128_load(p)
#define STOREF(p, v) wasm_v128_store(p, v)
#define MADD(acc, s, v) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(s, v))
#define SPLAT(p) wasm_v128_load32_splat(p)

/* out[r, 0:8] (+)= sum_{k < kc} A(r, k) * B(k, 0:8) for rows r < 4 (B rows bs floats apart, out rows N). */
static inline void tile4x8(const float *a, int am, int ak, const float *b, int bs, float *o, int N, int kc,
                           int load) {
  v128_t c00, c01, c10, c11, c20, c21, c30, c31;
  if (load) {
    c00 = LOADF(o), c01 = LOADF(o + 4);
    c10 = LOADF(o + N), c11 = LOADF(o + N + 4);
    c20 = LOADF(o + 2 * N), c21 = LOADF(o + 2 * N + 4);
    c30 = LOADF(o + 3 * N), c31 = LOADF(o + 3 * N + 4);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.0f);
  }
  for (int k = 0; k < kc; k++) {
    const float *ar = a + k * ak;
    const float *br = b + k * bs;
    const v128_t b0 = LOADF(br), b1 = LOADF(br + 4);
    v128_t s = SPLAT(ar);
    MADD(c00, s, b0);
    MADD(c01, s, b1);
    s = SPLAT(ar + am);
    MADD(c10, s, b0);
    MADD(c11, s, b1);
    s = SPLAT(ar + 2 * am);
    MADD(c20, s, b0);
    MADD(c21, s, b1);
    s = SPLAT(ar + 3 * am);
    MADD(c30, s, b0);
    MADD(c31, s, b1);
  }
  STOREF(o, c00), STOREF(o + 4, c01);
  STOREF(o + N, c10), STOREF(o + N + 4, c11);
  STOREF(o + 2 * N, c20), STOREF(o + 2 * N + 4, c21);
  STOREF(o + 3 * N, c30), STOREF(o + 3 * N + 4, c31);
}

/* One row of tile4x8. */
static inline void tile1x8(const float *a, int ak, const float *b, int bs, float *o, int kc, int load) {
  v128_t c0 = load ? LOADF(o) : wasm_f32x4_splat(0.0f);
  v128_t c1 = load ? LOADF(o + 4) : wasm_f32x4_splat(0.0f);
  for (int k = 0; k < kc; k++) {
    const float *br = b + k * bs;
    const v128_t s = SPLAT(a + k * ak);
    MADD(c0, s, LOADF(br));
    MADD(c1, s, LOADF(br + 4));
  }
  STOREF(o, c0), STOREF(o + 4, c1);
}

/* out[r, 0:4] (+)= sum_{k < kc} A(r, k) * B(k, 0:4) for rows r < 4. */
static inline void tile4x4(const float *a, int am, int ak, const float *b, int N, float *o, int kc, int load) {
  v128_t c0, c1, c2, c3;
  if (load) {
    c0 = LOADF(o), c1 = LOADF(o + N), c2 = LOADF(o + 2 * N), c3 = LOADF(o + 3 * N);
  } else {
    c0 = c1 = c2 = c3 = wasm_f32x4_splat(0.0f);
  }
  for (int k = 0; k < kc; k++) {
    const float *ar = a + k * ak;
    const v128_t bv = LOADF(b + k * N);
    MADD(c0, SPLAT(ar), bv);
    MADD(c1, SPLAT(ar + am), bv);
    MADD(c2, SPLAT(ar + 2 * am), bv);
    MADD(c3, SPLAT(ar + 3 * am), bv);
  }
  STOREF(o, c0), STOREF(o + N, c1), STOREF(o + 2 * N, c2), STOREF(o + 3 * N, c3);
}

/* One row of tile4x4. */
static inline void tile1x4(const float *a, int ak, const float *b, int N, float *o, int kc, int load) {
  v128_t c = load ? LOADF(o) : wasm_f32x4_splat(0.0f);
  for (int k = 0; k < kc; k++) MADD(c, SPLAT(a + k * ak), LOADF(b + k * N));
  STOREF(o, c);
}

/* Copies rows k < kc of B's 8 columns (row stride N) into dst, 8 floats a row, 16-byte aligned. */
static inline void pack8(const float *b, int N, int kc, float *dst) {
  for (int k = 0; k < kc; k++) {
    STOREF(dst + 8 * k, LOADF(b + k * N));
    STOREF(dst + 8 * k + 4, LOADF(b + k * N + 4));
  }
}

/* One panel (kc values of k) of rows [m0, m1) of one batch; scratch: KC x 8 aligned floats, or 0. */
static void panel(const float *a, int am, int ak, const float *b, float *o, int N, int m0, int m1, int kc,
                  int load, float *scratch) {
  int n0 = 0;
  const int packed = scratch && m1 - m0 >= 8;
  for (; n0 + 8 <= N; n0 += 8) {
    const float *bp = b + n0;
    int stride = N;
    if (packed) {
      pack8(bp, N, kc, scratch);
      bp = scratch;
      stride = 8;
    }
    int m = m0;
    for (; m + 4 <= m1; m += 4) tile4x8(a + m * am, am, ak, bp, stride, o + m * N + n0, N, kc, load);
    for (; m < m1; m++) tile1x8(a + m * am, ak, bp, stride, o + m * N + n0, kc, load);
  }
  if (n0 + 4 <= N) {
    int m = m0;
    for (; m + 4 <= m1; m += 4) tile4x4(a + m * am, am, ak, b + n0, N, o + m * N + n0, kc, load);
    for (; m < m1; m++) tile1x4(a + m * am, ak, b + n0, N, o + m * N + n0, kc, load);
    n0 += 4;
  }
  for (int n = n0; n < N; n++) {
    for (int m = m0; m < m1; m++) {
      float s = load ? o[m * N + n] : 0.0f;
      for (int k = 0; k < kc; k++) s += a[m * am + k * ak] * b[k * N + n];
      o[m * N + n] = s;
    }
  }
}

void matMul(const float *a, const float *b, float *out, int t0, int t1, int M, int K, int N, int sa, int am,
            int ak, int sb, int m0, int m1, int accumulate, float *scratch) {
  for (int t = t0; t < t1; t++) {
    const float *at = a + t * sa;
    const float *bt = b + t * sb;
    float *ot = out + t * M * N;
    if (K == 0 && !accumulate) {
      for (int i = m0 * N; i < m1 * N; i++) ot[i] = 0.0f;
    }
    for (int k0 = 0; k0 < K; k0 += KC) {
      const int kc = K - k0 < KC ? K - k0 : KC;
      panel(at + k0 * ak, am, ak, bt + k0 * N, ot, N, m0, m1, kc, accumulate || k0 > 0, scratch);
    }
  }
}

/*
 * The epilogue of a fused dense layer: out[r, n] = act(out[r, n] + bias[n]) for r < rows, n < N
 * (bias = 0: none; relu = 1: act = max(0, .), else the identity).
 */
void biasActivation(float *out, const float *bias, int rows, int N, int relu) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int r = 0; r < rows; r++) {
    float *o = out + r * N;
    int n = 0;
    for (; n + 4 <= N; n += 4) {
      v128_t v = LOADF(o + n);
      if (bias) v = wasm_f32x4_add(v, LOADF(bias + n));
      if (relu) v = wasm_f32x4_pmax(v, zero);
      STOREF(o + n, v);
    }
    for (; n < N; n++) {
      float v = o[n] + (bias ? bias[n] : 0.0f);
      o[n] = relu && v < 0.0f ? 0.0f : v;
    }
  }
}

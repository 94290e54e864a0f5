/*
 * Convolution kernels for tfjs-backend-wasm's heap, WebAssembly SIMD (simd128, no FMA): the
 * filter gradient (`filterGradient`, below) and the forward convolution (`conv2d`, further down),
 * both direct (no im2col copy), and `addInto` (sums a second thread's partial dW).
 *
 * Filter gradient of a 2-D convolution (NHWC):
 *
 * Symbols: x [B, H, W, C], dy [B, OH, OW, O], dW [KH, KW, C, O], strides (sh, sw), pt/pl the
 * zero rows/columns added above/left. With x = 0 outside the image,
 *
 *   dW[i, j, c, o] = sum_{b, p, q} x[b, p*sh + i - pt, q*sw + j - pl, c] * dy[b, p, q, o].
 *
 * Blocking: the sum over output pixels (b, p, q) is cut into blocks of R output rows of one
 * image (R*OW ~ 64 pixels: the x rows and dy rows of a block stay in L1). For each block and
 * each tap (i, j), the rows p and columns q whose input pixel is inside the image
 * (p0 <= p < p1, q0 <= q < q1) are summed by a register-blocked micro-kernel: 4 input channels
 * (one splat load of x each) x 8 output channels (two v128 loads of dy) = 8 v128 accumulators,
 * loaded from dW before the block and stored after it. Channel remainders (C % 4, O % 8) use
 * 1-channel and 4-output / scalar variants of the same loop.
 *
 * Pointers are byte offsets into the imported memory (tfjs-backend-wasm's heap). No stack, no
 * data: the module only reads x and dy and writes dW.
 */
#include <wasm_simd128.h>

typedef struct {
  const float *x;
  const float *dy;
  int H, W, C, OH, OW, O, sh, sw, pt, pl;
} Geo;

#define LOADF(p) wasm_v128_load(p)
#define STOREF(p, v) wasm_v128_store(p, v)
#define MADD(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))

/* Sum over rows p in [pa, pb) and columns q in [q0, q1) of x rows (tap i, j) times dy rows,
 * into dW[(tap*C + c)*O + o] for the channel block c0..c0+NC and output block o0..o0+8. */
static inline void block4x8(const Geo *g, const float *xb, const float *dyb, float *dw, int c0, int o0,
                            int pa, int pb, int q0, int q1, int xRow0, int xCol0) {
  const int O = g->O, C = g->C;
  float *d0 = dw + c0 * O + o0;
  v128_t a00 = LOADF(d0), a01 = LOADF(d0 + 4);
  v128_t a10 = LOADF(d0 + O), a11 = LOADF(d0 + O + 4);
  v128_t a20 = LOADF(d0 + 2 * O), a21 = LOADF(d0 + 2 * O + 4);
  v128_t a30 = LOADF(d0 + 3 * O), a31 = LOADF(d0 + 3 * O + 4);
  const int xStepQ = g->sw * C;
  for (int p = pa; p < pb; p++) {
    const float *xr = xb + ((p * g->sh + xRow0) * g->W + q0 * g->sw + xCol0) * C + c0;
    const float *dr = dyb + (p * g->OW + q0) * O + o0;
    for (int q = q0; q < q1; q++) {
      v128_t y0 = LOADF(dr), y1 = LOADF(dr + 4);
      v128_t s = wasm_v128_load32_splat(xr);
      MADD(a00, s, y0);
      MADD(a01, s, y1);
      s = wasm_v128_load32_splat(xr + 1);
      MADD(a10, s, y0);
      MADD(a11, s, y1);
      s = wasm_v128_load32_splat(xr + 2);
      MADD(a20, s, y0);
      MADD(a21, s, y1);
      s = wasm_v128_load32_splat(xr + 3);
      MADD(a30, s, y0);
      MADD(a31, s, y1);
      xr += xStepQ;
      dr += O;
    }
  }
  STOREF(d0, a00);
  STOREF(d0 + 4, a01);
  STOREF(d0 + O, a10);
  STOREF(d0 + O + 4, a11);
  STOREF(d0 + 2 * O, a20);
  STOREF(d0 + 2 * O + 4, a21);
  STOREF(d0 + 3 * O, a30);
  STOREF(d0 + 3 * O + 4, a31);
}

/* One input channel c x 4 output channels (one v128 accumulator). */
static inline void block1x4(const Geo *g, const float *xb, const float *dyb, float *dw, int c, int o0, int pa,
                            int pb, int q0, int q1, int xRow0, int xCol0) {
  const int O = g->O, C = g->C;
  float *d0 = dw + c * O + o0;
  v128_t a = LOADF(d0);
  const int xStepQ = g->sw * C;
  for (int p = pa; p < pb; p++) {
    const float *xr = xb + ((p * g->sh + xRow0) * g->W + q0 * g->sw + xCol0) * C + c;
    const float *dr = dyb + (p * g->OW + q0) * O + o0;
    for (int q = q0; q < q1; q++) {
      MADD(a, wasm_v128_load32_splat(xr), LOADF(dr));
      xr += xStepQ;
      dr += O;
    }
  }
  STOREF(d0, a);
}

/* One input channel c x one output channel o (scalar). */
static inline void block1x1(const Geo *g, const float *xb, const float *dyb, float *dw, int c, int o, int pa,
                            int pb, int q0, int q1, int xRow0, int xCol0) {
  const int O = g->O, C = g->C;
  float a = dw[c * O + o];
  const int xStepQ = g->sw * C;
  for (int p = pa; p < pb; p++) {
    const float *xr = xb + ((p * g->sh + xRow0) * g->W + q0 * g->sw + xCol0) * C + c;
    const float *dr = dyb + (p * g->OW + q0) * O + o;
    for (int q = q0; q < q1; q++) {
      a += *xr * *dr;
      xr += xStepQ;
      dr += O;
    }
  }
  dw[c * O + o] = a;
}

static inline int maxi(int a, int b) { return a > b ? a : b; }
static inline int mini(int a, int b) { return a < b ? a : b; }
/* ceil(a / b) for b > 0, any sign of a */
static inline int ceilDiv(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
/* floor(a / b) for b > 0, any sign of a */
static inline int floorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/*
 * dW (+)= the filter gradient over images b0 <= b < b1. dW is [KH, KW, C, O]; it is zeroed
 * first when `zero` is nonzero. `rowsPerBlock` output rows of one image form a pixel block.
 */
__attribute__((export_name("filterGradient"))) void filterGradient(
    const float *x, const float *dy, float *dw, int b0, int b1, int H, int W, int C, int OH, int OW, int O,
    int KH, int KW, int sh, int sw, int pt, int pl, int rowsPerBlock, int zero) {
  Geo g = {x, dy, H, W, C, OH, OW, O, sh, sw, pt, pl};
  const int taps = KH * KW;
  if (zero) {
    const int n = taps * C * O;
    for (int t = 0; t < n; t++) dw[t] = 0.0f;
  }
  const int c4 = C & ~3, o8 = O & ~7, o4 = O & ~3;
  if (rowsPerBlock < 1) rowsPerBlock = 1;
  for (int b = b0; b < b1; b++) {
    const float *xb = x + (long)b * H * W * C;
    const float *dyb = dy + (long)b * OH * OW * O;
    for (int pBlock = 0; pBlock < OH; pBlock += rowsPerBlock) {
      const int pEnd = mini(OH, pBlock + rowsPerBlock);
      for (int i = 0; i < KH; i++) {
        /* rows p with 0 <= p*sh + i - pt <= H - 1 */
        const int pa = maxi(pBlock, ceilDiv(pt - i, sh));
        const int pb = mini(pEnd, floorDiv(H - 1 + pt - i, sh) + 1);
        if (pb <= pa) continue;
        for (int j = 0; j < KW; j++) {
          const int q0 = maxi(0, ceilDiv(pl - j, sw));
          const int q1 = mini(OW, floorDiv(W - 1 + pl - j, sw) + 1);
          if (q1 <= q0) continue;
          float *dwt = dw + (i * KW + j) * C * O;
          const int xRow0 = i - pt, xCol0 = j - pl;
          for (int c = 0; c < c4; c += 4) {
            for (int o = 0; o < o8; o += 8) block4x8(&g, xb, dyb, dwt, c, o, pa, pb, q0, q1, xRow0, xCol0);
            for (int cc = c; cc < c + 4; cc++) {
              for (int o = o8; o < o4; o += 4) block1x4(&g, xb, dyb, dwt, cc, o, pa, pb, q0, q1, xRow0, xCol0);
              for (int o = o4; o < O; o++) block1x1(&g, xb, dyb, dwt, cc, o, pa, pb, q0, q1, xRow0, xCol0);
            }
          }
          for (int c = c4; c < C; c++) {
            for (int o = 0; o < o4; o += 4) block1x4(&g, xb, dyb, dwt, c, o, pa, pb, q0, q1, xRow0, xCol0);
            for (int o = o4; o < O; o++) block1x1(&g, xb, dyb, dwt, c, o, pa, pb, q0, q1, xRow0, xCol0);
          }
        }
      }
    }
  }
}

/* out[k] += add[k] for k < n (n a multiple of 4 not required). */
__attribute__((export_name("addInto"))) void addInto(float *out, const float *add, int n) {
  int k = 0;
  for (; k + 4 <= n; k += 4) STOREF(out + k, wasm_f32x4_add(LOADF(out + k), LOADF(add + k)));
  for (; k < n; k++) out[k] += add[k];
}

/*
 * Forward convolution (NHWC), the same register block with the roles turned: 4 output pixels
 * (splat loads of x) x 8 output channels (two v128 loads of the filter) in eight accumulators,
 * summed over the taps (i, j) and input channels c:
 *
 *   y[b, p, q, o] = act(bias[o] + sum_{i, j, c} x[b, p*sh + i - pt, q*sw + j - pl, c] * w[i, j, c, o]),
 *
 * w [KH, KW, C, O], x = 0 outside the image; act is the identity (relu = 0) or max(0, .).
 * O % 8 == 0, and w comes packed by blocks of 8 output channels (packFilter below):
 * wp[((o / 8) * KH*KW*C + (i*KW + j)*C + c) * 8 + o % 8] = w[i, j, c, o], so that the 8 columns a
 * block reads are contiguous (with O = 64 a plain row stride of 256 bytes would use a quarter of
 * L1's sets).
 * For a row i of taps, the (j, c) pairs of the valid columns are one contiguous run of x
 * (from column q*sw + j0 - pl) and of w (rows (i*KW + j0)*C ...), so the inner loop is one
 * stream of length KW*C. Blocks of 4 pixels whose taps all lie inside the row take that
 * stream; blocks at the border mask the pixels of each tap j that fall outside; the last OW % 4
 * pixels (or all of them when O % 8 != 0) go one at a time with their own j range.
 */
static inline v128_t finish(v128_t a, const float *bias, int o, int relu) {
  if (bias) a = wasm_f32x4_add(a, LOADF(bias + o));
  if (relu) a = wasm_f32x4_max(a, wasm_f32x4_splat(0.0f));
  return a;
}

static inline float finish1(float a, const float *bias, int o, int relu) {
  if (bias) a += bias[o];
  if (relu && !(a > 0.0f)) a = 0.0f;
  return a;
}

/* One output pixel, channels [0, O) (O % 8 == 0), each tap row over its valid columns j0..j1. */
static void convPixel(const float *xb, const float *w, float *yp, const float *bias, int relu, int p, int q,
                      int H, int W, int C, int O, int KH, int KW, int sh, int sw, int pt, int pl) {
  const int i0 = maxi(0, pt - p * sh), i1 = mini(KH, H + pt - p * sh);
  const int j0 = maxi(0, pl - q * sw), j1 = mini(KW, W + pl - q * sw);
  const int run = (j1 - j0) * C;
  for (int o = 0; o < O; o += 8) {
    const float *wo = w + o * KH * KW * C;
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
    for (int i = i0; i < i1; i++) {
      const float *xr = xb + ((p * sh + i - pt) * W + q * sw + j0 - pl) * C;
      const float *wr = wo + ((i * KW + j0) * C) * 8;
      for (int t = 0; t < run; t++) {
        v128_t s = wasm_v128_load32_splat(xr + t);
        MADD(a0, s, LOADF(wr));
        MADD(a1, s, LOADF(wr + 4));
        wr += 8;
      }
    }
    STOREF(yp + o, finish(a0, bias, o, relu));
    STOREF(yp + o + 4, finish(a1, bias, o + 4, relu));
  }
}

/* 4 output pixels q..q+3 (some taps outside the image) x 8 output channels o..o+7: per tap
 * (i, j), a pixel whose input column is outside reads column 0 and is masked to zero. */
static void convBlockMasked(const float *xb, const float *w, float *yp, const float *bias, int relu, int p, int q,
                            int o, int i0, int i1, int W, int C, int O, int KW, int sh, int sw, int pt, int pl) {
  v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00,
         a31 = a00;
  const v128_t on = wasm_i32x4_splat(-1), off = wasm_i32x4_splat(0);
  for (int i = i0; i < i1; i++) {
    const float *row = xb + (p * sh + i - pt) * W * C;
    for (int j = 0; j < KW; j++) {
      const int c0 = q * sw + j - pl, c1 = c0 + sw, c2 = c1 + sw, c3 = c2 + sw;
      const int v0 = c0 >= 0 && c0 < W, v1 = c1 >= 0 && c1 < W, v2 = c2 >= 0 && c2 < W, v3 = c3 >= 0 && c3 < W;
      if (!(v0 | v1 | v2 | v3)) continue;
      const float *x0 = row + (v0 ? c0 : 0) * C, *x1 = row + (v1 ? c1 : 0) * C;
      const float *x2 = row + (v2 ? c2 : 0) * C, *x3 = row + (v3 ? c3 : 0) * C;
      const v128_t m0 = v0 ? on : off, m1 = v1 ? on : off, m2 = v2 ? on : off, m3 = v3 ? on : off;
      const float *wr = w + ((i * KW + j) * C) * 8;
      if (v0 & v1 & v2 & v3) { /* this tap inside for all four: no masks */
        for (int c = 0; c < C; c++) {
          v128_t w0 = LOADF(wr), w1 = LOADF(wr + 4);
          v128_t s = wasm_v128_load32_splat(x0 + c);
          MADD(a00, s, w0);
          MADD(a01, s, w1);
          s = wasm_v128_load32_splat(x1 + c);
          MADD(a10, s, w0);
          MADD(a11, s, w1);
          s = wasm_v128_load32_splat(x2 + c);
          MADD(a20, s, w0);
          MADD(a21, s, w1);
          s = wasm_v128_load32_splat(x3 + c);
          MADD(a30, s, w0);
          MADD(a31, s, w1);
          wr += 8;
        }
        continue;
      }
      for (int c = 0; c < C; c++) {
        v128_t w0 = LOADF(wr), w1 = LOADF(wr + 4);
        v128_t s = wasm_v128_and(wasm_v128_load32_splat(x0 + c), m0);
        MADD(a00, s, w0);
        MADD(a01, s, w1);
        s = wasm_v128_and(wasm_v128_load32_splat(x1 + c), m1);
        MADD(a10, s, w0);
        MADD(a11, s, w1);
        s = wasm_v128_and(wasm_v128_load32_splat(x2 + c), m2);
        MADD(a20, s, w0);
        MADD(a21, s, w1);
        s = wasm_v128_and(wasm_v128_load32_splat(x3 + c), m3);
        MADD(a30, s, w0);
        MADD(a31, s, w1);
        wr += 8;
      }
    }
  }
  STOREF(yp, finish(a00, bias, o, relu));
  STOREF(yp + 4, finish(a01, bias, o + 4, relu));
  STOREF(yp + O, finish(a10, bias, o, relu));
  STOREF(yp + O + 4, finish(a11, bias, o + 4, relu));
  STOREF(yp + 2 * O, finish(a20, bias, o, relu));
  STOREF(yp + 2 * O + 4, finish(a21, bias, o + 4, relu));
  STOREF(yp + 3 * O, finish(a30, bias, o, relu));
  STOREF(yp + 3 * O + 4, finish(a31, bias, o + 4, relu));
}

/*
 * y = act(conv(x, w) + bias) for images b0 <= b < b1; y [B, OH, OW, O]. bias is a pointer to O
 * floats or 0 (none); relu is 0 or 1.
 */
__attribute__((export_name("conv2d"))) void conv2d(const float *x, const float *w, float *y, int b0, int b1, int H,
                                                   int W, int C, int OH, int OW, int O, int KH, int KW, int sh,
                                                   int sw, int pt, int pl, const float *bias, int relu) {
  /* columns q whose taps j = 0..KW-1 all lie inside: 0 <= q*sw - pl and q*sw + KW - 1 - pl <= W - 1 */
  const int qa = ceilDiv(pl, sw);
  const int qb = floorDiv(W - KW + pl, sw) + 1;
  const int o8 = O & ~7;
  const int xStep = sw * C;
  const int run = KW * C;
  for (int b = b0; b < b1; b++) {
    const float *xb = x + (long)b * H * W * C;
    float *yb = y + (long)b * OH * OW * O;
    for (int p = 0; p < OH; p++) {
      const int i0 = maxi(0, pt - p * sh), i1 = mini(KH, H + pt - p * sh);
      float *yr = yb + p * OW * O;
      int q = 0;
      if (o8 == O) {
        /* output-channel blocks outer: the filter's 8 columns stay in L1 along the row */
        for (int o = 0; o < O; o += 8) {
          const float *wo = w + o * KH * KW * C; /* this block's packed filter columns */
          for (q = 0; q + 4 <= OW; q += 4) {
            if (q < qa || q + 4 > qb) {
              convBlockMasked(xb, wo, yr + q * O + o, bias, relu, p, q, o, i0, i1, W, C, O, KW, sh, sw, pt, pl);
              continue;
            }
            v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
                   a30 = a00, a31 = a00;
            for (int i = i0; i < i1; i++) {
              const float *xr = xb + ((p * sh + i - pt) * W + q * sw - pl) * C;
              const float *wr = wo + (i * KW * C) * 8;
              for (int t = 0; t < run; t++) {
                v128_t w0 = LOADF(wr), w1 = LOADF(wr + 4);
                v128_t s = wasm_v128_load32_splat(xr + t);
                MADD(a00, s, w0);
                MADD(a01, s, w1);
                s = wasm_v128_load32_splat(xr + xStep + t);
                MADD(a10, s, w0);
                MADD(a11, s, w1);
                s = wasm_v128_load32_splat(xr + 2 * xStep + t);
                MADD(a20, s, w0);
                MADD(a21, s, w1);
                s = wasm_v128_load32_splat(xr + 3 * xStep + t);
                MADD(a30, s, w0);
                MADD(a31, s, w1);
                wr += 8;
              }
            }
            float *yp = yr + q * O + o;
            STOREF(yp, finish(a00, bias, o, relu));
            STOREF(yp + 4, finish(a01, bias, o + 4, relu));
            STOREF(yp + O, finish(a10, bias, o, relu));
            STOREF(yp + O + 4, finish(a11, bias, o + 4, relu));
            STOREF(yp + 2 * O, finish(a20, bias, o, relu));
            STOREF(yp + 2 * O + 4, finish(a21, bias, o + 4, relu));
            STOREF(yp + 3 * O, finish(a30, bias, o, relu));
            STOREF(yp + 3 * O + 4, finish(a31, bias, o + 4, relu));
          }
        }
      }
      for (; q < OW; q++) convPixel(xb, w, yr + q * O, bias, relu, p, q, H, W, C, O, KH, KW, sh, sw, pt, pl);
    }
  }
}

/*
 * Input gradient of a 2-D convolution (NHWC), gathered per dx pixel over its valid taps only
 * (no zero-inserted dy, no rotated filter):
 *
 *   dx[b, h, w, c] = sum over (i, j) with h + pt - i = p*sh, w + pl - j = q*sw, 0 <= p < OH,
 *                    0 <= q < OW of sum_o dy[b, p, q, o] * wT[i, j, o, c],
 *
 * The filter comes packed by blocks of 8 input channels: wq[((c / 8) * KH*KW*O + (i*KW + j)*O + o)
 * * 8 + c % 8] = W[i, j, c, o]. The pixels of one row are taken
 * by phase r = w mod sw: for a tap j of that phase, pixels w = r + sw*k read dy columns
 * q = (r + pl - j)/sw + k, consecutive in k. So 4 pixels of a phase x 8 input channels sit in
 * eight v128 accumulators over the valid (i, j) and o, as in `conv2d`; dy columns outside [0, OW)
 * are masked. Needs C % 8 == 0. The last (W - r) / sw mod 4 pixels of a phase go one at a time.
 */
static inline int validRow(int h, int pt, int i, int sh, int OH) {
  const int t = h + pt - i;
  return t >= 0 && t % sh == 0 && t / sh < OH;
}

__attribute__((export_name("conv2dBackpropInput"))) void conv2dBackpropInput(
    const float *dy, const float *wT, float *dx, int b0, int b1, int H, int W, int C, int OH, int OW, int O,
    int KH, int KW, int sh, int sw, int pt, int pl) {
  const v128_t on = wasm_i32x4_splat(-1), off = wasm_i32x4_splat(0);
  const int pixStep = sw * C; /* dx floats between pixels k and k + 1 of a phase */
  for (int b = b0; b < b1; b++) {
    const float *dyb = dy + (long)b * OH * OW * O;
    for (int h = 0; h < H; h++) {
      float *dxr = dx + ((long)b * H + h) * W * C;
      for (int r = 0; r < sw && r < W; r++) {
        const int nk = (W - r + sw - 1) / sw;
        for (int c0 = 0; c0 < C; c0 += 8) {
          int k = 0;
          for (; k + 4 <= nk; k += 4) {
            v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
                   a30 = a00, a31 = a00;
            for (int i = 0; i < KH; i++) {
              if (!validRow(h, pt, i, sh, OH)) continue;
              const float *dyr = dyb + ((h + pt - i) / sh) * OW * O;
              for (int j = 0; j < KW; j++) {
                const int u = r + pl - j;
                if (u % sw != 0) continue; /* C's % keeps the sign: 0 exactly when sw divides u */
                const int q = floorDiv(u, sw) + k;
                const int v0 = q >= 0 && q < OW, v1 = q + 1 >= 0 && q + 1 < OW, v2 = q + 2 >= 0 && q + 2 < OW,
                          v3 = q + 3 >= 0 && q + 3 < OW;
                if (!(v0 | v1 | v2 | v3)) continue;
                const float *y0 = dyr + (v0 ? q : 0) * O, *y1 = dyr + (v1 ? q + 1 : 0) * O;
                const float *y2 = dyr + (v2 ? q + 2 : 0) * O, *y3 = dyr + (v3 ? q + 3 : 0) * O;
                const float *wr = wT + c0 * KH * KW * O + ((i * KW + j) * O) * 8;
                if (v0 & v1 & v2 & v3) {
                  for (int o = 0; o < O; o++) {
                    v128_t w0 = LOADF(wr), w1 = LOADF(wr + 4);
                    v128_t s = wasm_v128_load32_splat(y0 + o);
                    MADD(a00, s, w0);
                    MADD(a01, s, w1);
                    s = wasm_v128_load32_splat(y1 + o);
                    MADD(a10, s, w0);
                    MADD(a11, s, w1);
                    s = wasm_v128_load32_splat(y2 + o);
                    MADD(a20, s, w0);
                    MADD(a21, s, w1);
                    s = wasm_v128_load32_splat(y3 + o);
                    MADD(a30, s, w0);
                    MADD(a31, s, w1);
                    wr += 8;
                  }
                } else {
                  const v128_t m0 = v0 ? on : off, m1 = v1 ? on : off, m2 = v2 ? on : off, m3 = v3 ? on : off;
                  for (int o = 0; o < O; o++) {
                    v128_t w0 = LOADF(wr), w1 = LOADF(wr + 4);
                    v128_t s = wasm_v128_and(wasm_v128_load32_splat(y0 + o), m0);
                    MADD(a00, s, w0);
                    MADD(a01, s, w1);
                    s = wasm_v128_and(wasm_v128_load32_splat(y1 + o), m1);
                    MADD(a10, s, w0);
                    MADD(a11, s, w1);
                    s = wasm_v128_and(wasm_v128_load32_splat(y2 + o), m2);
                    MADD(a20, s, w0);
                    MADD(a21, s, w1);
                    s = wasm_v128_and(wasm_v128_load32_splat(y3 + o), m3);
                    MADD(a30, s, w0);
                    MADD(a31, s, w1);
                    wr += 8;
                  }
                }
              }
            }
            float *xp = dxr + (r + sw * k) * C + c0;
            STOREF(xp, a00);
            STOREF(xp + 4, a01);
            STOREF(xp + pixStep, a10);
            STOREF(xp + pixStep + 4, a11);
            STOREF(xp + 2 * pixStep, a20);
            STOREF(xp + 2 * pixStep + 4, a21);
            STOREF(xp + 3 * pixStep, a30);
            STOREF(xp + 3 * pixStep + 4, a31);
          }
          for (; k < nk; k++) {
            v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
            for (int i = 0; i < KH; i++) {
              if (!validRow(h, pt, i, sh, OH)) continue;
              const float *dyr = dyb + ((h + pt - i) / sh) * OW * O;
              for (int j = 0; j < KW; j++) {
                const int u = r + pl - j;
                if (u % sw != 0) continue;
                const int q = floorDiv(u, sw) + k;
                if (q < 0 || q >= OW) continue;
                const float *y0 = dyr + q * O;
                const float *wr = wT + c0 * KH * KW * O + ((i * KW + j) * O) * 8;
                for (int o = 0; o < O; o++) {
                  v128_t s = wasm_v128_load32_splat(y0 + o);
                  MADD(a0, s, LOADF(wr));
                  MADD(a1, s, LOADF(wr + 4));
                  wr += 8;
                }
              }
            }
            float *xp = dxr + (r + sw * k) * C + c0;
            STOREF(xp, a0);
            STOREF(xp + 4, a1);
          }
        }
      }
    }
  }
}

/*
 * Packs a filter W [KH, KW, C, O] (taps = KH*KW) by blocks of 8 along O (mode 0: for conv2d,
 * O % 8 == 0), along C (mode 1: for conv2dBackpropInput, C % 8 == 0), or along C with the taps
 * reversed (mode 2: W rotated by 180 degrees, [KH, KW, O, C], packed for conv2d: the input
 * gradient at stride 1 is the forward convolution of dy with it, C % 8 == 0):
 * reversing both tap axes reverses the tap index t = i*KW + j.
 */
__attribute__((export_name("packFilter"))) void packFilter(const float *w, float *dst, int taps, int C, int O,
                                                           int mode) {
  if (mode) {
    for (int cb = 0; cb < C; cb += 8)
      for (int t = 0; t < taps; t++) {
        const int ts = mode == 2 ? taps - 1 - t : t;
        for (int o = 0; o < O; o++)
          for (int k = 0; k < 8; k++) *dst++ = w[(ts * C + cb + k) * O + o];
      }
  } else {
    for (int ob = 0; ob < O; ob += 8)
      for (int t = 0; t < taps; t++)
        for (int c = 0; c < C; c++)
          for (int k = 0; k < 8; k++) *dst++ = w[(t * C + c) * O + ob + k];
  }
}

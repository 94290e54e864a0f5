/*
 * Elementwise kernels for tfjs-backend-wasm's heap, WebAssembly SIMD (simd128): exp and erf (a
 * transformer's GELU and its gradient), the elementwise batch norm (tfjs-layers'
 * LayerNormalization, whose statistics and gamma/beta arrive tiled to the input's shape), and the
 * column broadcast of Tile (those statistics tiled over the features).
 *
 * Pointers are byte offsets into the imported memory; n is a count of floats. No stack, no data.
 */
#include <wasm_simd128.h>

#define LOADF(p) wasm_v128_load(p)
#define STOREF(p, v) wasm_v128_store(p, v)
#define SPLATF(v) wasm_f32x4_splat(v)

/*
 * V8 rebuilds every v128.const where it is used (several instructions each) instead of hoisting it
 * out of a loop, and clang folds splats of constants into v128.const; an empty asm statement that
 * "changes" the value makes it an ordinary local, set once before the loop (2x faster exp).
 */
static inline v128_t opaque(v128_t v) {
  __asm__("" : "+r"(v));
  return v;
}

/* The constants of exp4 and erf4, as locals (see opaque). */
typedef struct {
  v128_t hi, lo, magic, log2e, ln2hi, ln2lo, p0, p1, p2, p3, p4, p5, one, inf, bias;
  v128_t erfP, a1, a2, a3, a4, a5, signBit;
} Consts;

static inline Consts consts(void) {
  Consts c;
  c.hi = opaque(SPLATF(88.72283935546875f));
  c.lo = opaque(SPLATF(-104.0f));
  c.magic = opaque(SPLATF(12582912.0f));
  c.log2e = opaque(SPLATF(1.44269504088896341f));
  c.ln2hi = opaque(SPLATF(0.693359375f));
  c.ln2lo = opaque(SPLATF(-2.12194440e-4f));
  c.p0 = opaque(SPLATF(1.9875691500e-4f));
  c.p1 = opaque(SPLATF(1.3981999507e-3f));
  c.p2 = opaque(SPLATF(8.3334519073e-3f));
  c.p3 = opaque(SPLATF(4.1665795894e-2f));
  c.p4 = opaque(SPLATF(1.6666665459e-1f));
  c.p5 = opaque(SPLATF(5.0000001201e-1f));
  c.one = opaque(SPLATF(1.0f));
  c.inf = opaque(SPLATF(__builtin_inff()));
  c.bias = opaque(wasm_i32x4_splat(127));
  c.erfP = opaque(SPLATF(0.3275911f));
  c.a1 = opaque(SPLATF(0.254829592f));
  c.a2 = opaque(SPLATF(-0.284496736f));
  c.a3 = opaque(SPLATF(1.421413741f));
  c.a4 = opaque(SPLATF(-1.453152027f));
  c.a5 = opaque(SPLATF(1.061405429f));
  c.signBit = opaque(wasm_i32x4_splat((int)0x80000000));
  return c;
}

/*
 * e^x, four lanes (Cephes' expf; about 1 ulp):
 *   n = round(x log2 e),  r = x - n ln 2 (ln 2 in two parts, so r is exact to float precision),
 *   e^r = 1 + r + r^2 P(r)  with P of degree 5 (minimax on |r| <= ln2 / 2),
 *   e^x = e^r 2^n1 2^n2     (n = n1 + n2, each half a normal float built from its exponent bits,
 *                            so that results below 2^-126 round to the right subnormal).
 * x < -104 gives 0, x > 88.72 gives +inf, NaN stays NaN.
 */
static inline v128_t exp4(v128_t x, const Consts *c) {
  // pmin/pmax are one instruction each (min/max with NaN semantics are several); NaN is put back below
  const v128_t xc = wasm_f32x4_pmin(wasm_f32x4_pmax(x, c->lo), c->hi);
  // n = round(x log2 e) by the 1.5 * 2^23 trick: adding it rounds to an integer held in the low
  // mantissa bits, so t's bits minus the constant's bits are n as an int32
  const v128_t t = wasm_f32x4_add(wasm_f32x4_mul(xc, c->log2e), c->magic);
  const v128_t n = wasm_f32x4_sub(t, c->magic);
  v128_t r = wasm_f32x4_sub(xc, wasm_f32x4_mul(n, c->ln2hi));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, c->ln2lo));
  v128_t p = c->p0;
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p1);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p2);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p3);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p4);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), c->p5);
  const v128_t er = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(p, wasm_f32x4_mul(r, r)), r), c->one);
  // 2^n = 2^n1 2^n2 with n1 = floor(n / 2), n2 = n - n1, both in [-75, 64]: normal floats
  const v128_t ni = wasm_i32x4_sub(t, c->magic);
  const v128_t n1 = wasm_i32x4_shr(ni, 1);
  const v128_t n2 = wasm_i32x4_sub(ni, n1);
  const v128_t pow1 = wasm_i32x4_shl(wasm_i32x4_add(n1, c->bias), 23);
  const v128_t pow2 = wasm_i32x4_shl(wasm_i32x4_add(n2, c->bias), 23);
  v128_t y = wasm_f32x4_mul(wasm_f32x4_mul(er, pow1), pow2);
  y = wasm_v128_andnot(y, wasm_f32x4_lt(x, c->lo)); // 0 below the subnormals
  y = wasm_v128_bitselect(c->inf, y, wasm_f32x4_gt(x, c->hi));
  return wasm_v128_bitselect(x, y, wasm_f32x4_ne(x, x));
}

/*
 * erf(x), four lanes, by Abramowitz and Stegun 7.1.26 (|error| <= 1.5e-7), the formula tfjs's
 * cpu and webgl backends use:  t = 1 / (1 + p |x|),
 *   erf(x) = sign(x) (1 - (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) e^(-x^2)).
 */
static inline v128_t erf4(v128_t x, const Consts *c) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t t = wasm_f32x4_div(c->one, wasm_f32x4_add(c->one, wasm_f32x4_mul(c->erfP, ax)));
  v128_t p = c->a5;
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), c->a4);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), c->a3);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), c->a2);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), c->a1);
  p = wasm_f32x4_mul(p, t);
  const v128_t e = exp4(wasm_f32x4_neg(wasm_f32x4_mul(ax, ax)), c);
  const v128_t y = wasm_f32x4_sub(c->one, wasm_f32x4_mul(p, e));
  // the sign bit of x onto y (erf is odd); NaN stays NaN through the arithmetic
  return wasm_v128_or(y, wasm_v128_and(x, c->signBit));
}

/* Up to 3 trailing floats in lanes 0..k-1 (the others 0); no stack (the module has none). */
static inline v128_t loadTail(const float *p, int k) {
  return wasm_f32x4_make(p[0], k > 1 ? p[1] : 0.0f, k > 2 ? p[2] : 0.0f, 0.0f);
}

static inline void storeTail(float *p, v128_t v, int k) {
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (k > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (k > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/* out[i] = e^x[i] for i < n. */
void expElementwise(const float *x, float *out, int n) {
  const Consts c = consts();
  int i = 0;
  for (; i + 4 <= n; i += 4) STOREF(out + i, exp4(LOADF(x + i), &c));
  if (i < n) storeTail(out + i, exp4(loadTail(x + i, n - i), &c), n - i);
}

/* out[i] = erf(x[i]) for i < n. */
void erfElementwise(const float *x, float *out, int n) {
  const Consts c = consts();
  int i = 0;
  for (; i + 4 <= n; i += 4) STOREF(out + i, erf4(LOADF(x + i), &c));
  if (i < n) storeTail(out + i, erf4(loadTail(x + i, n - i), &c), n - i);
}

/*
 * out[i] = (x[i] - mean[i]) / sqrt(variance[i] + eps) * scale[i] + offset[i] for i < n, every
 * operand of the same shape (scale = 0: 1; offset = 0: 0). The division is a true division by
 * a true square root, as tfjs's batchNorm computes it.
 */
void normalizeElementwise(const float *x, const float *mean, const float *variance, const float *scale,
                          const float *offset, float *out, int n, float eps) {
  const v128_t e = SPLATF(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t y = wasm_f32x4_div(wasm_f32x4_sub(LOADF(x + i), LOADF(mean + i)),
                              wasm_f32x4_sqrt(wasm_f32x4_add(LOADF(variance + i), e)));
    if (scale) y = wasm_f32x4_mul(y, LOADF(scale + i));
    if (offset) y = wasm_f32x4_add(y, LOADF(offset + i));
    STOREF(out + i, y);
  }
  for (; i < n; i++) {
    float y = (x[i] - mean[i]) / __builtin_sqrtf(variance[i] + eps);
    if (scale) y *= scale[i];
    if (offset) y += offset[i];
    out[i] = y;
  }
}

/* out[r * reps + j] = x[r] for r < rows, j < reps (Tile of an innermost axis of 1). */
void broadcastColumns(const float *x, float *out, int rows, int reps) {
  for (int r = 0; r < rows; r++) {
    const v128_t v = wasm_v128_load32_splat(x + r);
    float *o = out + r * reps;
    int j = 0;
    for (; j + 4 <= reps; j += 4) wasm_v128_store(o + j, v);
    for (; j < reps; j++) o[j] = x[r];
  }
}

/* out[i] = 1 / sqrt(x[i]) for i < n (a true square root and division, as tfjs's cpu backend). */
void rsqrtElementwise(const float *x, float *out, int n) {
  const v128_t one = opaque(SPLATF(1.0f));
  int i = 0;
  for (; i + 4 <= n; i += 4) STOREF(out + i, wasm_f32x4_div(one, wasm_f32x4_sqrt(LOADF(x + i))));
  for (; i < n; i++) out[i] = 1.0f / __builtin_sqrtf(x[i]);
}

/* out[i] = x[i] * s (op 0), x[i] + s (op 1), x[i] - s (op 2) or s - x[i] (op 3), for i < n. */
void scalarElementwise(const float *x, float *out, int n, float s, int op) {
  const v128_t v = opaque(SPLATF(s));
  int i = 0;
#define SCALAR_LOOP(VEC, SCA)                                                                                \
  for (; i + 4 <= n; i += 4) {                                                                               \
    const v128_t a = LOADF(x + i);                                                                           \
    STOREF(out + i, VEC);                                                                                    \
  }                                                                                                          \
  for (; i < n; i++) {                                                                                       \
    const float a = x[i];                                                                                    \
    out[i] = SCA;                                                                                            \
  }
  switch (op) {
    case 0:
      SCALAR_LOOP(wasm_f32x4_mul(a, v), a * s)
      break;
    case 1:
      SCALAR_LOOP(wasm_f32x4_add(a, v), a + s)
      break;
    case 2:
      SCALAR_LOOP(wasm_f32x4_sub(a, v), a - s)
      break;
    default:
      SCALAR_LOOP(wasm_f32x4_sub(v, a), s - a)
      break;
  }
#undef SCALAR_LOOP
}

/* out[r] = sum_{c < cols} x[r * cols + c] for r < rows (four partial sums per row, then added). */
void rowSum(const float *x, float *out, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    v128_t acc = SPLATF(0.0f);
    int c = 0;
    for (; c + 4 <= cols; c += 4) acc = wasm_f32x4_add(acc, LOADF(xr + c));
    float s = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
              (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
    for (; c < cols; c++) s += xr[c];
    out[r] = s;
  }
}

/*
 * sum_{i < n} x[i] in float64: each float promoted exactly, four pairs of float64 lanes (8 floats a
 * step, in registers), the lanes then the tail added in float64. The caller rounds it once to
 * float32: for a sum of nonnegative terms (a squared norm, a kinetic energy) the result is off by
 * about one float32 rounding; with cancellation, by the float64 error relative to the terms' size.
 */
double sumAll(const float *x, int n) {
  v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const v128_t u = LOADF(x + i), v = LOADF(x + i + 4);
    a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(u));
    a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(u, u, 2, 3, 0, 1)));
    a2 = wasm_f64x2_add(a2, wasm_f64x2_promote_low_f32x4(v));
    a3 = wasm_f64x2_add(a3, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
  }
  const v128_t t = wasm_f64x2_add(wasm_f64x2_add(a0, a1), wasm_f64x2_add(a2, a3));
  double s = wasm_f64x2_extract_lane(t, 0) + wasm_f64x2_extract_lane(t, 1);
  for (; i < n; i++) s += (double)x[i];
  return s;
}

/*
 * out[a, c, b, :] = x[a, b, c, :] for a < A, b < B, c < C, rows of D floats (Transpose with perm
 * [0, 2, 1, 3]: a transformer's split into heads and its inverse). Rows are copied by vectors
 * when D is a multiple of 4.
 */
void swapMiddleAxes(const float *x, float *out, int A, int B, int C, int D) {
  for (int a = 0; a < A; a++) {
    const float *xa = x + a * B * C * D;
    float *oa = out + a * B * C * D;
    for (int b = 0; b < B; b++) {
      for (int c = 0; c < C; c++) {
        const float *src = xa + (b * C + c) * D;
        float *dst = oa + (c * B + b) * D;
        int d = 0;
        if ((D & 3) == 0)
          for (; d < D; d += 4) STOREF(dst + d, LOADF(src + d));
        for (; d < D; d++) dst[d] = src[d];
      }
    }
  }
}

/*
 * The gradient of normalizeElementwise for an upstream gradient dy, every operand of one shape:
 * with r = 1 / sqrt(variance + eps), s = scale (1 when 0) and xm = x - mean,
 *   dx = dy s r,   dmean = -dy s r,   dvariance = -1/2 dy s xm r^3,   dscale = dy xm r
 * (the offset's gradient is dy itself). One pass over five inputs for four outputs, where the
 * same gradient as separate ops makes about fifteen full-size passes. Args: x, mean, variance,
 * scale, dy, dx, dmean, dvariance, dscale, n, eps.
 */
void normalizeElementwiseGrad(const float *x, const float *mean, const float *variance, const float *scale,
                              const float *dy, float *dx, float *dmean, float *dvariance, float *dscale, int n,
                              float eps) {
  const v128_t e = opaque(SPLATF(eps)), one = opaque(SPLATF(1.0f)), half = opaque(SPLATF(-0.5f));
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t r = wasm_f32x4_div(one, wasm_f32x4_sqrt(wasm_f32x4_add(LOADF(variance + i), e)));
    const v128_t g = LOADF(dy + i);
    const v128_t gs = scale ? wasm_f32x4_mul(g, LOADF(scale + i)) : g;
    const v128_t xm = wasm_f32x4_sub(LOADF(x + i), LOADF(mean + i));
    const v128_t gsr = wasm_f32x4_mul(gs, r);
    STOREF(dx + i, gsr);
    STOREF(dmean + i, wasm_f32x4_neg(gsr));
    STOREF(dvariance + i, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(half, gsr), xm), wasm_f32x4_mul(r, r)));
    STOREF(dscale + i, wasm_f32x4_mul(wasm_f32x4_mul(g, xm), r));
  }
  for (; i < n; i++) {
    const float r = 1.0f / __builtin_sqrtf(variance[i] + eps);
    const float gs = scale ? dy[i] * scale[i] : dy[i];
    const float xm = x[i] - mean[i];
    const float gsr = gs * r;
    dx[i] = gsr;
    dmean[i] = -gsr;
    dvariance[i] = -0.5f * gsr * xm * (r * r);
    dscale[i] = dy[i] * xm * r;
  }
}

/*
 * The gradient of a softmax over the last axis from its output y [rows, cols] and the upstream
 * gradient dy: dx[r, c] = y[r, c] (dy[r, c] - s_r), s_r = sum_j dy[r, j] y[r, j]. One pass to
 * sum, one to write, where the same as separate ops is a product, a sum, a broadcast product and
 * a difference over the whole tensor.
 */
void softmaxGradRows(const float *y, const float *dy, float *dx, int rows, int cols) {
  for (int r = 0; r < rows; r++) {
    const float *yr = y + r * cols;
    const float *gr = dy + r * cols;
    float *dr = dx + r * cols;
    v128_t acc = SPLATF(0.0f);
    int c = 0;
    for (; c + 4 <= cols; c += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(LOADF(gr + c), LOADF(yr + c)));
    float s = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
              (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
    for (; c < cols; c++) s += gr[c] * yr[c];
    const v128_t sv = SPLATF(s);
    c = 0;
    for (; c + 4 <= cols; c += 4) STOREF(dr + c, wasm_f32x4_mul(LOADF(yr + c), wasm_f32x4_sub(LOADF(gr + c), sv)));
    for (; c < cols; c++) dr[c] = yr[c] * (gr[c] - s);
  }
}

/*
 * 1 when every x[i] (i < n) is finite, else 0 (the optimizer's check that a step's loss and every
 * variable it moved are finite, `SamAllFinite`). A float32 is inf or NaN exactly when its eight
 * exponent bits are all ones: bits & 0x7f800000 == 0x7f800000. One pass, 16 floats an iteration,
 * the lanes' verdicts OR-ed together (no early exit: a non-finite step is rare, and the pass is
 * bound by memory).
 */
int allFinite(const float *x, int n) {
  const v128_t exponent = opaque(wasm_i32x4_splat(0x7f800000));
  v128_t bad = wasm_i32x4_splat(0);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t a = wasm_i32x4_eq(wasm_v128_and(LOADF(x + i), exponent), exponent);
    const v128_t b = wasm_i32x4_eq(wasm_v128_and(LOADF(x + i + 4), exponent), exponent);
    const v128_t c = wasm_i32x4_eq(wasm_v128_and(LOADF(x + i + 8), exponent), exponent);
    const v128_t d = wasm_i32x4_eq(wasm_v128_and(LOADF(x + i + 12), exponent), exponent);
    bad = wasm_v128_or(bad, wasm_v128_or(wasm_v128_or(a, b), wasm_v128_or(c, d)));
  }
  for (; i + 4 <= n; i += 4) bad = wasm_v128_or(bad, wasm_i32x4_eq(wasm_v128_and(LOADF(x + i), exponent), exponent));
  int any = wasm_v128_any_true(bad);
  for (; i < n; i++) {
    unsigned bits;
    __builtin_memcpy(&bits, x + i, 4);
    any |= (bits & 0x7f800000u) == 0x7f800000u;
  }
  return !any;
}

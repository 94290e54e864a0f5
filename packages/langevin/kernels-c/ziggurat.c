/*
 * N(0, stddev^2) draws by the ziggurat method over sfc32, compiled to WebAssembly: the same
 * numbers, bit for bit, as `gaussianArray` in `src/noiseSource.ts` (the JavaScript reference),
 * 3-4x faster. Every step is that function's, in the same order and in the same precision:
 *
 *   - sfc32 (Doty-Humphrey's small fast counting generator) on 32-bit words, seeded by four
 *     splitmix32 outputs of `seed`, then 12 draws discarded;
 *   - per draw (Marsaglia and Tsang 2000, 128 layers): hz = the next word as a signed int32,
 *     iz = hz & 127; if |hz| < KN[iz] the result is stddev * hz * WN[iz] (in float64, then rounded
 *     once to float32); else the wedge or tail test, with uniforms u = (word + 0.5) / 2^32.
 *
 * log and exp of the rare path (about 1% of draws) are imported from JavaScript (`Math.log`,
 * `Math.exp`), so that they round exactly as the reference's. The tables KN, WN, FN (float64)
 * are written by the caller into `zigguratTables()`, and ceil(KN) into `zigguratThresholds()`,
 * before the first call.
 */
#include <stdint.h>

__attribute__((import_module("env"), import_name("log"))) double jsLog(double);
__attribute__((import_module("env"), import_name("exp"))) double jsExp(double);

#define ZIG_R 3.442619855899

static double tables[3 * 128];
#define KN (tables)
#define WN (tables + 128)
#define FN (tables + 256)
/* ceil(KN[i]) as integers: for an integer u, u < KN[i] exactly when u < ceil(KN[i]) (all <= 2^31). */
static uint32_t knCeil[128];

/* KN[0..127], WN[0..127], FN[0..127], float64, for the caller to fill. */
double *zigguratTables(void) { return tables; }

/* ceil(KN[i]) for i < 128, uint32, for the caller to fill. */
uint32_t *zigguratThresholds(void) { return knCeil; }

/* The generator's four words, as locals of gaussianFill (in registers, not in memory). */
typedef struct {
  uint32_t a, b, c, d;
} Sfc32;

/* sfc32: the next word (as the reference's `next()`, a signed int32 there). */
static inline uint32_t next(Sfc32 *g) {
  const uint32_t t = g->a + g->b + g->d;
  g->d = g->d + 1;
  g->a = g->b ^ (g->b >> 9);
  g->b = g->c + (g->c << 3);
  g->c = (g->c << 21) | (g->c >> 11);
  g->c = g->c + t;
  return t;
}

static inline double uniform(Sfc32 *g) { return ((double)next(g) + 0.5) / 4294967296.0; }

/* splitmix32's step on *s. */
static inline uint32_t split(uint32_t *s) {
  *s = *s + 0x9e3779b9u;
  uint32_t z = *s;
  z = (z ^ (z >> 16)) * 0x21f0aaadu;
  z = (z ^ (z >> 15)) * 0x735a2d97u;
  return z ^ (z >> 15);
}

/* |v| as an unsigned integer (2^31 for INT32_MIN). Taken on the integer: an i32 select, which
 * V8 compiles to a conditional move (a float64 select becomes a branch, mispredicted on half the
 * draws: 6.7 ns a draw instead of 3). */
static inline uint32_t absInt(int32_t v) {
  const uint32_t u = (uint32_t)v;
  return v < 0 ? 0u - u : u;
}

/* out[i] ~ N(0, stddev^2) for i < size, from seed `seed` (its 32 low bits). */
void gaussianFill(float *out, int size, uint32_t seed, double stddev) {
  uint32_t s = seed;
  Sfc32 g;
  g.a = split(&s);
  g.b = split(&s);
  g.c = split(&s);
  g.d = split(&s);
  for (int i = 0; i < 12; i++) next(&g);
  for (int i = 0; i < size; i++) {
    int32_t hz = (int32_t)next(&g);
    int iz = hz & 127;
    if (absInt(hz) < knCeil[iz]) {
      out[i] = (float)(stddev * (double)hz * WN[iz]);
      continue;
    }
    double x;
    for (;;) {
      x = (double)hz * WN[iz];
      if (iz == 0) {
        double y;
        do {
          x = -jsLog(uniform(&g)) / ZIG_R;
          y = -jsLog(uniform(&g));
        } while (y + y < x * x);
        x = hz > 0 ? ZIG_R + x : -ZIG_R - x;
        break;
      }
      const double u = uniform(&g);
      if (FN[iz] + u * (FN[iz - 1] - FN[iz]) < jsExp(-0.5 * x * x)) break;
      hz = (int32_t)next(&g);
      iz = hz & 127;
      if (absInt(hz) < knCeil[iz]) {
        x = (double)hz * WN[iz];
        break;
      }
    }
    out[i] = (float)(stddev * x);
  }
}

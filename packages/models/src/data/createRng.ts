import { deriveSeed } from "../internal/seeds";

/**
 * A seeded pseudo-random generator (see {@link createRng}).
 *
 * @example
 * ```ts
 * const rng: Rng = createRng(3);
 * const i = rng.int(10); // 0..9
 * ```
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1) (Box-Muller). */
  normal(): number;
  /** Fisher-Yates shuffle of `0..n-1`. */
  permutation(n: number): Int32Array;
  /** A non-zero 31-bit seed for tfjs ops, drawn from this stream. */
  tfSeed(): number;
}

/**
 * A small, fast, seeded PRNG for data preparation (mulberry32: 32-bit state, period 2^32, passes
 * gjrand/PractRand to 2^32 outputs; plenty for shuffling and procedural data). The state is
 * initialised from `seed` through a hash, so nearby seeds give unrelated streams.
 *
 * @param seed - Any integer (0 allowed here; it is hashed, never handed to tfjs as is).
 * @returns An {@link Rng}.
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.next(); // same value on every run
 * rng.permutation(5); // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`createRng: seed must be an integer, got ${seed}.`);
  let state = deriveSeed(seed, 0x5eed) >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // Box-Muller: u1 in (0, 1] so log(u1) is finite.
      const u1 = 1 - next();
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
    permutation: (n) => {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = p[i]!;
        p[i] = p[j]!;
        p[j] = t;
      }
      return p;
    },
    tfSeed: () => 1 + Math.floor(next() * 0x7ffffffe),
  };
}

/** `seed` if it is already an {@link Rng}, else a new one from the number. */
export function toRng(seed: number | Rng): Rng {
  return typeof seed === "number" ? createRng(seed) : seed;
}

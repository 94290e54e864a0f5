import { rejectValue } from "../errors/rejectValue";
import { seedHash } from "./seedHash";

/**
 * A seeded pseudo-random generator, independent of the tfjs backend (so that data, directions
 * and probes are the same on cpu, wasm and GPU backends). Build one with {@link createRng}.
 *
 * @example
 * ```ts
 * import { createRng, type Rng } from "@sam/core";
 *
 * const rng: Rng = createRng(3);
 * const i = rng.int(10); // 0..9
 * ```
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1) (Box-Muller, two draws per pair of uniforms). */
  normal(): number;
  /** +1 or -1 with probability 1/2 each. */
  rademacher(): number;
  /** `n` standard normal draws. */
  normalVector(n: number): Float64Array;
  /** `n` Rademacher (+1/-1) draws. */
  rademacherVector(n: number): Float64Array;
  /** A uniformly random permutation of `0..n-1` (Fisher-Yates). */
  permutation(n: number): Int32Array;
  /** A non-zero 31-bit seed for a tfjs op, drawn from this stream. */
  tfSeed(): number;
}

/**
 * The project's one seeded generator: mulberry32 (32-bit state, period 2^32, passes
 * gjrand/PractRand to 2^32 outputs; plenty for shuffles, procedural data and random probes).
 * The state starts at `seedHash(seed, 0x5eed)`, so nearby seeds give unrelated streams.
 * With s the state and u the uniform draw:
 *
 * ```
 * s <- s + 0x6d2b79f5;  t <- (s ^ s >>> 15) * (s | 1);  t <- t ^ (t + (t ^ t >>> 7) * (t | 61))
 * u  = (t ^ t >>> 14) / 2^32
 * normal: r = sqrt(-2 log(1 - u1)), phi = 2 pi u2; returns r cos(phi), then r sin(phi)
 * ```
 *
 * @param seed Any integer (0 allowed: it is hashed, never handed to tfjs as is).
 *
 * @example
 * ```ts
 * import { createRng } from "@sam/core";
 *
 * const rng = createRng(42);
 * rng.uniform(); // the same value on every run and every backend
 * rng.permutation(5); // e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) {
    rejectValue("createRng: seed", seed, "it must be an integer", "Pass e.g. createRng(1).");
  }
  let state = seedHash(seed, 0x5eed) >>> 0;
  let spare: number | null = null;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    // u1 in (0, 1], so log(u1) is finite
    const u1 = 1 - uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  const rademacher = () => (uniform() < 0.5 ? -1 : 1);
  const vector = (n: number, draw: () => number) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = draw();
    return v;
  };
  return {
    uniform,
    int: (n) => Math.floor(uniform() * n),
    normal,
    rademacher,
    normalVector: (n) => vector(n, normal),
    rademacherVector: (n) => vector(n, rademacher),
    permutation: (n) => {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        const t = p[i]!;
        p[i] = p[j]!;
        p[j] = t;
      }
      return p;
    },
    tfSeed: () => 1 + Math.floor(uniform() * 0x7ffffffe),
  };
}

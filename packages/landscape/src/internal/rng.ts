/**
 * A small seeded random source (mulberry32), independent of the tfjs backend, so that
 * directions and probes are the same on cpu, wasm and GPU backends.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** +1 or -1 with probability 1/2 each. */
  rademacher(): number;
}

/** Builds a {@link Rng} from a 32-bit seed (0 is mapped to 1). */
export function makeRng(seed: number): Rng {
  let state = (seed | 0) === 0 ? 1 : seed | 0;
  let spare: number | null = null;
  const uniform = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u <= 1e-300) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const phi = 2 * Math.PI * uniform();
    spare = r * Math.sin(phi);
    return r * Math.cos(phi);
  };
  return { uniform, normal, rademacher: () => (uniform() < 0.5 ? -1 : 1) };
}

/** A vector of `n` standard normal draws. */
export function normalVector(rng: Rng, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return v;
}

/** A vector of `n` Rademacher (+1/-1) draws. */
export function rademacherVector(rng: Rng, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.rademacher();
  return v;
}

/**
 * The two-spirals data of the partitioned-integrator experiments (authors' generator, spec
 * section 3): for `t ~ U(0, 1)`, radius `a t^p`, angle `2 pi turns t^p`; class 0 is the arm
 * `d = (r cos, r sin)`, class 1 is `-d`; Gaussian noise of standard deviation `noise` on both
 * coordinates. Defaults: 4 turns, noise 0.02, p = 0.5, a = 2.
 */
export interface TwoSpirals {
  /** Points, row-major `[n, 2]`. */
  readonly x: Float32Array;
  /** Labels 0 / 1. */
  readonly y: Float32Array;
  readonly n: number;
}

/** A small seeded generator (mulberry32 + Box-Muller), so the data is the same on every machine. */
export function seededRandom(seed: number): { uniform: () => number; normal: () => number } {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/**
 * `n` points (n/2 per class) of the two spirals.
 *
 * @example
 * ```ts
 * const train = twoSpirals(500, seededRandom(2));
 * ```
 */
export function twoSpirals(
  n: number,
  rng: ReturnType<typeof seededRandom>,
  options: { turns?: number; noise?: number; p?: number; a?: number } = {},
): TwoSpirals {
  const { turns = 4, noise = 0.02, p = 0.5, a = 2 } = options;
  const half = Math.floor(n / 2);
  const x = new Float32Array(4 * half);
  const y = new Float32Array(2 * half);
  for (let i = 0; i < half; i++) {
    const tp = rng.uniform() ** p;
    const r = a * tp;
    const angle = 2 * turns * Math.PI * tp;
    const dx = r * Math.cos(angle);
    const dy = r * Math.sin(angle);
    x[2 * i] = dx;
    x[2 * i + 1] = dy;
    x[2 * (half + i)] = -dx;
    x[2 * (half + i) + 1] = -dy;
    y[half + i] = 1;
  }
  for (let i = 0; i < x.length; i++) x[i]! += noise * rng.normal();
  return { x, y, n: 2 * half };
}

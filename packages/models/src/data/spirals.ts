import { createRng } from "@sam/core";
import type { Dataset } from "./dataset";

/** Options of {@link spirals}. */
export interface SpiralsOptions {
  /** Points per class. */
  n: number;
  /** Number of arms = classes. Default 2. */
  classes?: number;
  /** Turns of each arm. Default 1.5. */
  turns?: number;
  /** Standard deviation of Gaussian noise added to each coordinate. Default 0. */
  noise?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/**
 * Interleaved spiral arms in 2-D, one per class. For class `k` of `K` and `t_i = i / n`
 * (`i = 0..n-1`): radius `r = t_i`, angle `theta = 2 pi turns t_i + 2 pi k / K`,
 * point `(r cos theta, r sin theta) + noise * N(0, I)`. Examples are ordered by class (shuffle
 * with `batches`).
 *
 * @param options - See {@link SpiralsOptions}.
 * @returns A classification {@link Dataset} with `xShape = [2]`, `size = n * classes`.
 *
 * @example
 * ```ts
 * const ds = spirals({ n: 100, classes: 2, turns: 2, noise: 0.02, seed: 3 });
 * ds.size; // 200
 * ```
 */
export function spirals(options: SpiralsOptions): Dataset {
  const { n, classes = 2, turns = 1.5, noise = 0, seed = 1 } = options;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`spirals: n must be a positive integer, got ${n}.`);
  if (!Number.isInteger(classes) || classes < 2) {
    throw new Error(`spirals: classes must be an integer >= 2, got ${classes}.`);
  }
  const rng = createRng(seed);
  const size = n * classes;
  const xs = new Float32Array(size * 2);
  const ys = new Int32Array(size);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < n; i++) {
      const j = k * n + i;
      const t = i / n;
      const theta = 2 * Math.PI * turns * t + (2 * Math.PI * k) / classes;
      xs[2 * j] = t * Math.cos(theta) + noise * rng.normal();
      xs[2 * j + 1] = t * Math.sin(theta) + noise * rng.normal();
      ys[j] = k;
    }
  }
  return { xs, xShape: [2], ys, yShape: [], size, numClasses: classes };
}

import { createRng } from "@sam/core";
import type { Dataset } from "./dataset";

/** Options of {@link twoMoons}. */
export interface TwoMoonsOptions {
  /** Points per moon. */
  n: number;
  /** Standard deviation of Gaussian noise per coordinate. Default 0.1. */
  noise?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/**
 * Two interleaving half circles (as scikit-learn's `make_moons`): with `theta_i = pi i / (n - 1)`,
 * class 0 is `(cos theta, sin theta)` and class 1 is `(1 - cos theta, 0.5 - sin theta)`, plus
 * `noise * N(0, I)`. Ordered by class.
 *
 * @param options - See {@link TwoMoonsOptions}.
 * @returns A 2-class {@link Dataset} with `xShape = [2]`, `size = 2n`.
 *
 * @example
 * ```ts
 * const ds = twoMoons({ n: 200, noise: 0.1, seed: 1 });
 * ```
 */
export function twoMoons(options: TwoMoonsOptions): Dataset {
  const { n, noise = 0.1, seed = 1 } = options;
  if (!Number.isInteger(n) || n < 2) throw new Error(`twoMoons: n must be an integer >= 2, got ${n}.`);
  const rng = createRng(seed);
  const xs = new Float32Array(4 * n);
  const ys = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const theta = (Math.PI * i) / (n - 1);
    xs[2 * i] = Math.cos(theta) + noise * rng.normal();
    xs[2 * i + 1] = Math.sin(theta) + noise * rng.normal();
    const j = n + i;
    xs[2 * j] = 1 - Math.cos(theta) + noise * rng.normal();
    xs[2 * j + 1] = 0.5 - Math.sin(theta) + noise * rng.normal();
    ys[j] = 1;
  }
  return { xs, xShape: [2], ys, yShape: [], size: 2 * n, numClasses: 2 };
}

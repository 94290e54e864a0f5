import { createRng } from "@sam/core";
import type { Dataset } from "./dataset";

/** Options of {@link gaussianBlobs}. */
export interface GaussianBlobsOptions {
  /** Points per blob (class). */
  n: number;
  /** Number of blobs, or their centres explicitly (`centers[k]` has `dim` coordinates). Default 3. */
  centers?: number | number[][];
  /** Dimension (ignored when centres are given). Default 2. */
  dim?: number;
  /** Standard deviation of each blob. Default 1. */
  std?: number;
  /** Random centres are uniform in `[-box, box]^dim`. Default 10 (scikit-learn's `center_box`). */
  box?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/**
 * Isotropic Gaussian blobs (as scikit-learn's `make_blobs`): class `k` is `c_k + std * N(0, I)`.
 * Ordered by class.
 *
 * @param options - See {@link GaussianBlobsOptions}.
 * @returns A classification {@link Dataset} with `xShape = [dim]`.
 *
 * @example
 * ```ts
 * const ds = gaussianBlobs({ n: 50, centers: [[0, 0], [4, 4]], std: 0.5, seed: 2 });
 * ```
 */
export function gaussianBlobs(options: GaussianBlobsOptions): Dataset {
  const { n, std = 1, box = 10, seed = 1 } = options;
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`gaussianBlobs: n must be a positive integer, got ${n}.`);
  const rng = createRng(seed);
  let centers: number[][];
  if (Array.isArray(options.centers)) {
    centers = options.centers;
    const d = centers[0]?.length ?? 0;
    if (d === 0 || centers.some((c) => c.length !== d)) {
      throw new Error("gaussianBlobs: centers must be a non-empty list of points of equal dimension.");
    }
  } else {
    const k = options.centers ?? 3;
    const dim = options.dim ?? 2;
    if (!Number.isInteger(k) || k < 1) throw new Error(`gaussianBlobs: centers must be >= 1, got ${k}.`);
    centers = Array.from({ length: k }, () =>
      Array.from({ length: dim }, () => (2 * rng.uniform() - 1) * box),
    );
  }
  const dim = centers[0]!.length;
  const size = n * centers.length;
  const xs = new Float32Array(size * dim);
  const ys = new Int32Array(size);
  centers.forEach((c, k) => {
    for (let i = 0; i < n; i++) {
      const j = k * n + i;
      for (let d = 0; d < dim; d++) xs[j * dim + d] = c[d]! + std * rng.normal();
      ys[j] = k;
    }
  });
  return { xs, xShape: [dim], ys, yShape: [], size, numClasses: centers.length };
}

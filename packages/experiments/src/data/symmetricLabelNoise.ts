import { createRng, type Dataset } from "@sam/models";

/**
 * Symmetric label noise: `round(fraction * n)` examples, chosen by `seed`, get a label drawn
 * uniformly from the other `k - 1` classes. Returns the new data set and how many labels changed.
 * Deterministic in `(ds, fraction, seed)`: it is applied once, before training, so it needs no
 * state in a checkpoint beyond the config.
 *
 * @example
 * ```ts
 * const train = { xs: new Float32Array(500), xShape: [1], ys: new Int32Array(500), yShape: [], size: 500, numClasses: 5 };
 * const { dataset, changed } = symmetricLabelNoise(train, 0.2, 7); // changed === 100
 * ```
 */
export function symmetricLabelNoise(
  ds: Dataset,
  fraction: number,
  seed: number,
): { dataset: Dataset; changed: number } {
  const k = ds.numClasses;
  if (k === undefined || k < 2) {
    throw new Error(
      `data.labelNoise needs a classification set with at least 2 classes, got ${k ?? "none"}.`,
    );
  }
  const rng = createRng(seed);
  const order = rng.permutation(ds.size);
  const changed = Math.round(fraction * ds.size);
  const ys = Int32Array.from(ds.ys);
  for (let i = 0; i < changed; i++) {
    const j = order[i]!;
    ys[j] = (ys[j]! + 1 + rng.int(k - 1)) % k;
  }
  return { dataset: { ...ds, ys }, changed };
}

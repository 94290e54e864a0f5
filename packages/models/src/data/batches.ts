import type * as tfc from "@tensorflow/tfjs-core";
import { createRng, seedHash } from "@sam/core";
import { type Dataset, gather } from "./dataset";

/** Options of {@link batches}. */
export interface BatchesOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Shuffle the order (default true). */
  shuffle?: boolean;
  /** Shuffle seed (default 1). The order of epoch `e` depends only on `(seed, e)`. */
  seed?: number;
  /** Epoch number, so that every epoch gets its own order (default 0). */
  epoch?: number;
  /** Drop the last, smaller batch (default false). */
  dropRemainder?: boolean;
  /** One-hot float32 labels for classification (default true); false gives int32 class ids. */
  oneHot?: boolean;
}

/** One batch: tensors the caller owns and must dispose, plus the example indices. */
export interface Batch {
  xs: tfc.Tensor;
  ys: tfc.Tensor;
  /** Indices into the data set of the examples in this batch. */
  indices: Int32Array;
}

/**
 * Iterates over `dataset` in batches, in a seeded random order (a Fisher-Yates permutation
 * from `(seed, epoch)`). Each batch is gathered from the typed arrays in JS and becomes exactly
 * two tensors (`xs`, `ys`), created lazily when the iterator advances; dispose them after use
 * (or wrap the step in `tf.tidy`). Abandoning the loop early leaks nothing.
 *
 * @param dataset - The data set.
 * @param options - See {@link BatchesOptions}.
 * @returns A generator of {@link Batch}es.
 * @throws If `batchSize` is not a positive integer.
 *
 * @example
 * ```ts
 * const train = shapes({ n: 2000, size: 16, seed: 1 });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const { xs, ys } of batches(train, { batchSize: 128, seed: 7, epoch })) {
 *     optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor));
 *     tf.dispose([xs, ys]);
 *   }
 * }
 * ```
 */
export function* batches(dataset: Dataset, options: BatchesOptions): Generator<Batch, void, undefined> {
  const { batchSize, shuffle = true, seed = 1, epoch = 0, dropRemainder = false, oneHot = true } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}.`);
  }
  const n = dataset.size;
  let order: Int32Array;
  if (shuffle) {
    order = createRng(seedHash(seed, epoch)).permutation(n);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    if (dropRemainder && end - start < batchSize) return;
    const indices = order.slice(start, end);
    yield { ...gather(dataset, indices, oneHot), indices };
  }
}

import { createRng, type Dataset } from "@sam/models";
import * as tf from "@tensorflow/tfjs";
import { STREAMS, streamSeed } from "../data/streams";

/**
 * The order of the training examples in epoch `epoch`: a permutation seeded by
 * `streamSeed(seed, STREAMS.dataOrder, epoch)`, so that any step's batch can be recomputed from
 * `(seed, epoch, batch)` alone, as a resumed run does.
 *
 * @example
 * ```ts
 * const order = epochOrder(1000, 1, 0); // epoch 0 of seed 1
 * ```
 */
export function epochOrder(size: number, seed: number, epoch: number): Int32Array {
  return createRng(streamSeed(seed, STREAMS.dataOrder, epoch)).permutation(size);
}

/**
 * Batch `batch` of an epoch whose order is `order`, as `xs` and one-hot float32 `ys` tensors
 * (the caller disposes them). Batches are `batchSize` consecutive entries of the order; the last
 * partial batch of an epoch is dropped so every step sees the same number of examples.
 *
 * @example
 * ```ts
 * const train = { xs: new Float32Array(640 * 2), xShape: [2], ys: new Int32Array(640), yShape: [], size: 640, numClasses: 2 };
 * const batch = batchAt(train, epochOrder(train.size, 1, 0), 3, 64); // batch 3 of epoch 0
 * tf.dispose([batch.xs, batch.ys]);
 * ```
 */
export function batchAt(
  ds: Dataset,
  order: Int32Array,
  batch: number,
  batchSize: number,
): { xs: tf.Tensor; ys: tf.Tensor } {
  const fx = ds.xShape.reduce((a, b) => a * b, 1);
  const k = ds.numClasses!;
  const x = new Float32Array(batchSize * fx);
  const y = new Float32Array(batchSize * k);
  for (let i = 0; i < batchSize; i++) {
    const j = order[batch * batchSize + i]!;
    x.set(ds.xs.subarray(j * fx, (j + 1) * fx), i * fx);
    y[i * k + ds.ys[j]!] = 1;
  }
  return { xs: tf.tensor(x, [batchSize, ...ds.xShape]), ys: tf.tensor2d(y, [batchSize, k]) };
}

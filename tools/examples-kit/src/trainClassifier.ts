import type * as tf from "@tensorflow/tfjs";
import { batches, type Dataset } from "@sam/models";
import * as tfjs from "@tensorflow/tfjs";
import { progressBar } from "./progressBar";

/** Options of {@link trainClassifier}. */
export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Shuffle seed. Default 1. */
  readonly seed?: number;
  /** Progress bar label; no bar when absent. */
  readonly label?: string;
  /** Runs before every step with the global step index (schedules, trackers). */
  readonly beforeStep?: (step: number) => void;
}

/**
 * Trains a classifier (logits output) on a data set with softmax cross-entropy, one
 * `optimizer.minimize` per batch, and returns the wall time and the loss per epoch.
 *
 * @example
 * ```ts
 * const { seconds } = trainClassifier(model, optimizer, shapes({ n: 512 }), { epochs: 5, batchSize: 64, label: "sgd" });
 * ```
 */
export function trainClassifier(model: tf.LayersModel, optimizer: tf.Optimizer, data: Dataset, options: TrainOptions) {
  const perEpoch = Math.ceil(data.size / options.batchSize);
  const bar = options.label ? progressBar(options.label, options.epochs * perEpoch) : null;
  const losses: number[] = [];
  const start = performance.now();
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    let sum = 0;
    let count = 0;
    for (const batch of batches(data, { batchSize: options.batchSize, seed: options.seed ?? 1, epoch })) {
      options.beforeStep?.(step++);
      const lossFn = () =>
        tfjs.losses.softmaxCrossEntropy(batch.ys, model.apply(batch.xs, { training: true }) as tf.Tensor) as tf.Scalar;
      const loss = optimizer.minimize(lossFn, true)!;
      const value = loss.dataSync()[0]!;
      loss.dispose();
      tfjs.dispose([batch.xs, batch.ys]);
      sum += value;
      count++;
      bar?.tick(`loss ${value.toFixed(3)}`);
    }
    losses.push(sum / count);
  }
  bar?.done();
  return { seconds: (performance.now() - start) / 1000, losses };
}

/**
 * Top-1 accuracy of a classifier (logits or probabilities) on a data set, in batches.
 *
 * @example
 * ```ts
 * const acc = accuracy(model, testSet); // 0.0 .. 1.0
 * ```
 */
export function accuracy(model: tf.LayersModel, data: Dataset, batchSize = 256): number {
  let correct = 0;
  for (const batch of batches(data, { batchSize, shuffle: false, oneHot: false })) {
    correct += tfjs.tidy(() => {
      const predicted = tfjs.argMax(model.predict(batch.xs) as tf.Tensor, 1);
      return tfjs.sum(tfjs.cast(tfjs.equal(predicted, tfjs.cast(batch.ys, "int32")), "int32")).dataSync()[0]!;
    });
    tfjs.dispose([batch.xs, batch.ys]);
  }
  return correct / data.size;
}

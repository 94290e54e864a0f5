import type { Dataset } from "@sam/models";
import * as tf from "@tensorflow/tfjs";

/**
 * Mean softmax cross-entropy and top-1 accuracy of a classifier (logits) on a data set, in
 * batches of `batchSize` in order, inference mode (no BatchNorm statistics change). The sums are
 * kept in float64 on the JS side, so the result depends only on the weights and the data.
 *
 * @example
 * ```ts
 * const test = { xs: new Float32Array(40), xShape: [2], ys: new Int32Array(20), yShape: [], size: 20, numClasses: 2 };
 * const { loss, accuracy } = evaluate(model, test); // accuracy in [0, 1]
 * ```
 */
export function evaluate(
  model: tf.LayersModel,
  ds: Dataset,
  batchSize = 256,
): { loss: number; accuracy: number } {
  const k = ds.numClasses!;
  const fx = ds.xShape.reduce((a, b) => a * b, 1);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < ds.size; start += batchSize) {
    const n = Math.min(batchSize, ds.size - start);
    const [l, c] = tf.tidy(() => {
      const xs = tf.tensor(ds.xs.subarray(start * fx, (start + n) * fx), [n, ...ds.xShape], "float32");
      const labels = tf.tensor1d(ds.ys.subarray(start, start + n) as Int32Array, "int32");
      const logits = model.predict(xs) as tf.Tensor2D;
      const loss = tf.losses.softmaxCrossEntropy(
        tf.oneHot(labels, k),
        logits,
        undefined,
        0,
        tf.Reduction.SUM,
      );
      const right = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), "int32"));
      return [loss.dataSync()[0]!, right.dataSync()[0]!];
    });
    lossSum += l;
    correct += c;
  }
  return { loss: lossSum / ds.size, accuracy: correct / ds.size };
}

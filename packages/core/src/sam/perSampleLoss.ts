import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";

/** A loss closure (the mean over the batch) that can also give one loss per example. */
export interface PerSampleLoss {
  (): tf.Scalar;
  /** n, the number of examples in the batch. */
  readonly n: number;
  /** The loss of every example, shape [n]; or of the examples at `indices` (int32, shape [k]), shape [k]. */
  readonly losses: (indices?: tf.Tensor1D) => tf.Tensor1D;
}

/**
 * Builds a loss whose per-example values an oracle can read: ESAM's sharpness-sensitive
 * data selection ranks the examples by how much their loss rose at w + e, and takes its
 * second pass on the top fraction only. Called as a plain closure it is the mean loss of
 * the whole batch, so any other oracle uses it as an ordinary loss.
 *
 * @param batch tensors sharing their first dimension n (inputs, labels, ...)
 * @param lossesOf the loss of each example it is given, shape [k] for k examples (e.g.
 *   `tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.NONE)`),
 *   called with the whole batch or with rows gathered from it
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { perSampleLoss } from "@sam/core";
 *
 * const loss = perSampleLoss([xs, ys], (x, y) =>
 *   tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor, undefined, undefined, tf.Reduction.NONE) as tf.Tensor1D,
 * );
 * optimizer.minimize(loss); // with esamOracle({ rho: 0.05, beta: 0.5, gamma: 0.5 })
 * ```
 */
export function perSampleLoss(
  batch: readonly tf.Tensor[],
  lossesOf: (...examples: tf.Tensor[]) => tf.Tensor1D,
): PerSampleLoss {
  const n = batch[0]?.shape[0];
  if (n === undefined) {
    throw new SamConfigError(
      "perSampleLoss got no batch tensors: pass [inputs, labels, ...] sharing their first dimension.",
    );
  }
  if (batch.some((t) => t.shape[0] !== n)) {
    throw new SamConfigError(
      `perSampleLoss: the batch tensors have first dimensions ${batch.map((t) => t.shape[0]).join(", ")}; they must all equal the batch size.`,
    );
  }
  const losses = (indices?: tf.Tensor1D): tf.Tensor1D => {
    const out = lossesOf(...(indices ? batch.map((t) => tf.gather(t, indices)) : batch));
    const k = indices ? indices.shape[0] : n;
    if (out.rank !== 1 || out.shape[0] !== k) {
      throw new SamConfigError(
        `perSampleLoss: lossesOf returned shape [${out.shape.join(", ")}] for ${k} examples; it must return one loss per example, shape [${k}] (use reduction NONE, e.g. tf.Reduction.NONE).`,
      );
    }
    return out;
  };
  const whole = () => tf.mean(losses()) as tf.Scalar;
  return Object.assign(whole, { n, losses });
}

/**
 * Whether a loss closure was made by {@link perSampleLoss}.
 *
 * @example
 * ```ts
 * const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.sub(model.apply(x) as tf.Tensor, y)), 1) as tf.Tensor1D;
 * isPerSampleLoss(perSampleLoss([xs, ys], f)); // true
 * isPerSampleLoss(() => tf.mean(f(xs, ys)) as tf.Scalar); // false
 * ```
 */
export function isPerSampleLoss(f: () => tf.Scalar): f is PerSampleLoss {
  return typeof (f as Partial<PerSampleLoss>).losses === "function";
}

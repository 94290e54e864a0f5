import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";

/** A loss closure that can also be evaluated on each chunk of its batch (m-sharpness). */
export interface ChunkedLoss {
  (): tf.Scalar;
  /** One closure per chunk, each the mean loss over its m examples. */
  readonly chunks: readonly (() => tf.Scalar)[];
  /** m, the number of examples per chunk. */
  readonly m: number;
}

/**
 * Builds the loss of an m-sharpness step (Foret et al. 2021): the batch (the first axis of
 * every tensor in `batch`) is split into contiguous chunks of `m` examples; a SAM oracle
 * given this loss perturbs each chunk with its own first-pass gradient and averages the
 * second-pass gradients. Called as a plain closure it is the loss of the whole batch.
 *
 * @param batch tensors sharing their first dimension n (inputs, labels, ...)
 * @param m examples per chunk; must divide n
 * @param lossOf the mean loss of the examples it is given (called with slices of `batch`)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { chunkedLoss } from "@sam/core";
 *
 * const loss = chunkedLoss([xs, ys], 32, (x, y) => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor));
 * optimizer.minimize(loss); // with a SAM optimizer: one perturbation per chunk of 32
 * ```
 */
export function chunkedLoss(
  batch: readonly tf.Tensor[],
  m: number,
  lossOf: (...chunk: tf.Tensor[]) => tf.Scalar,
): ChunkedLoss {
  const n = batch[0]?.shape[0];
  if (n === undefined) {
    throw new SamConfigError(
      "chunkedLoss got no batch tensors: pass [inputs, labels, ...] sharing their first dimension.",
    );
  }
  const mismatched = batch.filter((t) => t.shape[0] !== n);
  if (mismatched.length > 0) {
    throw new SamConfigError(
      `chunkedLoss: the batch tensors have first dimensions ${batch.map((t) => t.shape[0]).join(", ")}; they must all equal the batch size.`,
    );
  }
  if (!Number.isInteger(m) || m < 1 || n % m !== 0) {
    const divisors = Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
    throw new SamConfigError(
      `m-sharpness m is ${m}, which does not divide the batch of ${n} examples. Use one of ${divisors.join(", ")}, or change the batch size.`,
    );
  }
  const slice = (start: number) => batch.map((t) => tf.slice(t, start, m));
  const chunks = Array.from({ length: n / m }, (_, k) => () => lossOf(...slice(k * m)));
  const whole = () => lossOf(...batch);
  return Object.assign(whole, { chunks, m });
}

/**
 * Whether a loss closure was made by {@link chunkedLoss}.
 *
 * @example
 * ```ts
 * const f = (xb: tf.Tensor, yb: tf.Tensor) => tf.losses.meanSquaredError(yb, model.apply(xb) as tf.Tensor) as tf.Scalar;
 * isChunkedLoss(chunkedLoss([x, y], 4, f)); // true
 * isChunkedLoss(() => f(x, y)); // false
 * ```
 */
export function isChunkedLoss(f: () => tf.Scalar): f is ChunkedLoss {
  return Array.isArray((f as Partial<ChunkedLoss>).chunks);
}

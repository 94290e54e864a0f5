import * as tf from "@tensorflow/tfjs-core";

/**
 * Inner product <a, b> = sum over tensors i of sum(a_i * b_i), skipping pairs where either
 * is null (a parameter the loss does not depend on). A scalar tensor: no device read.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { dotAll } from "@sam/core";
 *
 * dotAll([tf.tensor1d([1, 2])], [tf.tensor1d([3, 4])]).print(); // 11
 * ```
 */
export function dotAll(a: readonly (tf.Tensor | null)[], b: readonly (tf.Tensor | null)[]): tf.Scalar {
  const terms: tf.Scalar[] = [];
  a.forEach((x, i) => {
    const y = b[i];
    if (x && y) terms.push(tf.sum(tf.mul(x, y)));
  });
  return terms.length === 0 ? tf.scalar(0) : (tf.addN(terms) as tf.Scalar);
}

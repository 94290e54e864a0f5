import * as tf from "@tensorflow/tfjs-core";

/** Evaluates a loss closure in a tidy and reads it outside the tidy, as a JS number. */
export function scalarValue(lossFn: () => tf.Scalar): number {
  const t = tf.tidy(() => lossFn());
  if (!t || typeof (t as tf.Tensor).dataSync !== "function" || t.size !== 1) {
    const shape = t && (t as tf.Tensor).shape ? `[${(t as tf.Tensor).shape.join(", ")}]` : typeof t;
    tf.dispose(t);
    throw new TypeError(
      `The loss closure returned ${shape}, not a scalar tensor. Return tf.Scalar, e.g. tf.mean(...) or tf.losses.*.`,
    );
  }
  const value = t.dataSync()[0]!;
  t.dispose();
  return value;
}

import * as tf from "@tensorflow/tfjs-core";

/**
 * Wraps a kernel input (`TensorInfo`) as a `tf.Tensor` so that functional ops can consume it.
 *
 * A kernel function receives bare `TensorInfo`s. Wrapping one takes a reference on its data, so
 * call this inside a `tf.tidy` (which releases the wrapper, never the caller's data).
 *
 * @example
 * ```ts
 * const x = asTensor(inputs.x) as tf.Tensor4D;
 * ```
 */
export function asTensor(info: tf.TensorInfo): tf.Tensor {
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

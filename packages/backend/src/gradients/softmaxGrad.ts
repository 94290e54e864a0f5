import * as tf from "@tensorflow/tfjs-core";
import { SOFTMAX_GRAD } from "../kernels/softmaxGrad";

/**
 * Gradient of `Softmax`: with y = softmax(x) over axis `dim` and dy the output gradient,
 *
 *     dx = y (dy - sum_dim(dy y))   (the sum kept as an axis of 1 and broadcast back),
 *
 * the same math as tfjs-core's gradient. Over the last axis of float32 tensors, where the
 * active backend has the compiled `SamSoftmaxGrad` (wasm with `registerWasmTrainingKernels`), in
 * that one pass; otherwise by `original`, tfjs-core's own gradient.
 *
 * @example
 * ```ts
 * tf.registerGradient(makeSoftmaxGradConfig(tf.getGradient("Softmax")!));
 * ```
 */
export function makeSoftmaxGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved as tf.Tensor[];
      const { dim } = attrs as unknown as tf.SoftmaxAttrs;
      const last = dim === -1 || dim === y!.rank - 1;
      if (
        Array.isArray(dy) ||
        !last ||
        y!.dtype !== "float32" ||
        (dy as tf.Tensor).dtype !== "float32" ||
        !tf.getKernel(SOFTMAX_GRAD, tf.getBackend())
      )
        return original.gradFunc(dy, saved, attrs);
      return {
        logits: () => tf.engine().runKernel(SOFTMAX_GRAD, { y: y!, dy: dy as tf.Tensor }, {}) as tf.Tensor,
      };
    },
  };
}

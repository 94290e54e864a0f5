import * as tf from "@tensorflow/tfjs-core";
import { convKernelModuleFor } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/** Name of the wasm kernel of {@link elementwiseBatchNormGradConfig}. */
export const ELEMENTWISE_BATCH_NORM_GRAD = "SamElementwiseBatchNormGrad";

/**
 * The gradient of `FusedBatchNorm` when its statistics, scale and offset have x's elements (same
 * size, shapes equal but for leading axes of 1), as tfjs-layers' `LayerNormalization` calls it,
 * in one pass of the compiled `normalizeElementwiseGrad` (`kernels-c/elementwise.c`). With
 * r = 1/sqrt(variance + eps), s = scale (1 when absent), xm = x - mean and upstream gradient dy:
 *
 *     dx = dy s r,   dmean = -dy s r,   dvariance = -1/2 dy s xm r^3,   dscale = dy xm r
 *
 * (the offset's gradient is dy). Inputs: x, mean, variance, dy, and scale when present; attr
 * `varianceEpsilon`; outputs [dx, dmean, dvariance, dscale] in the shapes of x, mean, variance
 * and mean. tfjs-core's gradient makes the same four from about fifteen full-size ops.
 * `@sam/backend`'s FusedBatchNorm gradient calls it where it is registered (wasm), and the plain
 * ops elsewhere.
 *
 * @example
 * ```ts
 * tf.registerKernel(elementwiseBatchNormGradConfig);
 * ```
 */
export const elementwiseBatchNormGradConfig: tf.KernelConfig = {
  kernelName: ELEMENTWISE_BATCH_NORM_GRAD,
  backendName: "wasm",
  kernelFunc: (args) => {
    const { x, mean, variance, scale, dy } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const be = args.backend as DisposingWasmBackend;
    const m = convKernelModuleFor(be);
    if (!m || !x || !mean || !variance || !dy) {
      throw new Error(
        `${ELEMENTWISE_BATCH_NORM_GRAD}: needs x, mean, variance and dy as float32 on a wasm backend with SIMD; ` +
          "call it only where tf.getKernel finds it registered and the compiled kernels load.",
      );
    }
    const outs = [x, mean, variance, mean].map((t) => be.makeOutput([...t.shape], "float32"));
    const n = tf.util.sizeFromShape(x.shape);
    const at = (t: tf.TensorInfo | undefined) => (t ? heapOffset(be, t) : 0);
    if (n > 0)
      m.kernels.normalizeElementwiseGrad(
        at(x),
        at(mean),
        at(variance),
        at(scale),
        at(dy),
        ...outs.map(at),
        n,
        varianceEpsilon,
      );
    return outs;
  },
};

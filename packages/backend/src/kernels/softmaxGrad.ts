import * as tf from "@tensorflow/tfjs-core";
import { convKernelHelperFor, convKernelModuleFor, splitWithHelper } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/** Name of the wasm kernel of {@link softmaxGradConfig}. */
export const SOFTMAX_GRAD = "SamSoftmaxGrad";

/** Above this many elements the second thread (threaded build) takes half of the rows. */
const MIN_SPLIT_SIZE = 1 << 16;

/**
 * The gradient of a softmax over the last axis, in one compiled pass (`softmaxGradRows`,
 * `kernels-c/elementwise.c`): with y the softmax's output [..., C] and dy the upstream gradient,
 *
 *     dx[r, c] = y[r, c] (dy[r, c] - s_r),   s_r = sum_j dy[r, j] y[r, j]
 *
 * (tfjs-core's gradient makes it from a product, a sum, a broadcast product and a difference:
 * ~1.6 ms for a small ViT's attention weights [64, 4, 64, 64] on wasm). Inputs y and dy, float32,
 * same shape; output dx. On the threaded build the rows are split with the helper thread.
 * `registerTrainingGradients`' Softmax gradient calls it where it is registered (wasm).
 *
 * @example
 * ```ts
 * tf.registerKernel(softmaxGradConfig);
 * ```
 */
export const softmaxGradConfig: tf.KernelConfig = {
  kernelName: SOFTMAX_GRAD,
  backendName: "wasm",
  kernelFunc: (args) => {
    const { y, dy } = args.inputs as { y: tf.TensorInfo; dy: tf.TensorInfo };
    const be = args.backend as DisposingWasmBackend;
    const m = convKernelModuleFor(be);
    if (!m || y.dtype !== "float32" || dy.dtype !== "float32" || y.shape.join() !== dy.shape.join()) {
      throw new Error(
        `${SOFTMAX_GRAD}: needs float32 y and dy of one shape (got ${y.dtype} [${y.shape}] and ${dy.dtype} ` +
          `[${dy.shape}]) on a wasm backend with SIMD; call it only where tf.getKernel finds it registered.`,
      );
    }
    const out = be.makeOutput([...y.shape], "float32");
    const n = tf.util.sizeFromShape(y.shape);
    const cols = y.shape[y.shape.length - 1] ?? 1;
    const rows = cols === 0 ? 0 : n / cols;
    if (n === 0) return out;
    const [py, pg, po] = [heapOffset(be, y), heapOffset(be, dy), heapOffset(be, out)];
    const helper = n >= MIN_SPLIT_SIZE && rows >= 2 ? convKernelHelperFor(m) : undefined;
    try {
      if (!helper) {
        m.kernels.softmaxGradRows(py, pg, po, rows, cols);
      } else {
        const half = rows >> 1;
        const skip = 4 * half * cols;
        const theirs = [py + skip, pg + skip, po + skip, rows - half, cols];
        splitWithHelper(m, helper, "softmaxGradRows", [py, pg, po, half, cols], theirs, 10_000 + n / 1e4);
      }
    } catch (e) {
      be.disposeData(out.dataId);
      throw e;
    }
    return out;
  },
};

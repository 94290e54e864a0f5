import * as tf from "@tensorflow/tfjs-core";
import { convKernelHelperFor, convKernelModuleFor } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/** Above this many elements the second thread (threaded build) takes half of the rows. */
const MIN_SPLIT_SIZE = 1 << 16;

/**
 * `Softmax` over the last axis for wasm by the compiled SIMD loop `softmaxRows`
 * (`kernels-c/elementwise.c`): per row r of x [R, C],
 *
 *     y[r, c] = e^(x[r, c] - m_r) / sum_j e^(x[r, j] - m_r),   m_r = max_j x[r, j],
 *
 * one pass for the maximum, one for the exponentials (SIMD exp, ~1 ulp) and their sum, one to
 * scale; tfjs-wasm 4.22 runs its kernel through scalar libm calls (~1.3 ms for the attention
 * weights of a small ViT, [64, 4, 64, 64]). The rows are split with the helper thread on the
 * threaded build. float32 over the last axis only; anything else goes to `native`.
 *
 * @example
 * ```ts
 * tf.registerKernel(makeSoftmaxConfig(tf.getKernel("Softmax", "wasm")!));
 * ```
 */
export function makeSoftmaxConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { logits } = args.inputs as { logits: tf.TensorInfo };
      const { dim } = args.attrs as unknown as tf.SoftmaxAttrs;
      const be = args.backend as DisposingWasmBackend;
      const rank = logits.shape.length;
      const last = dim === -1 || dim === rank - 1;
      const m = logits.dtype === "float32" && last && rank >= 1 ? convKernelModuleFor(be) : undefined;
      if (!m) return native.kernelFunc(args);
      const cols = logits.shape[rank - 1]!;
      const n = tf.util.sizeFromShape(logits.shape);
      const rows = cols === 0 ? 0 : n / cols;
      const out = be.makeOutput([...logits.shape], "float32");
      if (n === 0) return out;
      const px = heapOffset(be, logits);
      const po = heapOffset(be, out);
      const helper = n >= MIN_SPLIT_SIZE && rows >= 2 ? convKernelHelperFor(m) : undefined;
      try {
        if (!helper) {
          m.kernels.softmaxRows(px, po, rows, cols);
        } else {
          const half = rows >> 1;
          helper.start([px + 4 * half * cols, po + 4 * half * cols, rows - half, cols], "softmaxRows");
          try {
            m.kernels.softmaxRows(px, po, half, cols);
          } finally {
            helper.wait(10_000 + n / 1e4);
          }
        }
      } catch (e) {
        be.disposeData(out.dataId);
        throw e;
      }
      return out;
    },
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { convKernelHelperFor, convKernelModuleFor, splitWithHelper } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/** Above this many elements the second thread (threaded build) takes half: exp is ~1.4 ns an element, the hand-off ~20 us. */
const MIN_SPLIT_SIZE = 1 << 16;

/** The unary kernels {@link makeUnaryElementwiseConfig} replaces, by the compiled export that runs each. */
const EXPORTS = { Exp: "expElementwise", Erf: "erfElementwise", Rsqrt: "rsqrtElementwise" } as const;

/**
 * `Exp`, `Erf` or `Rsqrt` for wasm by the compiled SIMD loops of `kernels-c/elementwise.c`, four floats at
 * a time, where tfjs-wasm 4.22 calls the scalar libm function per element (~6 ns an element
 * here: 3 ms for a ViT MLP's [64, 64, 128] activations, on each of the GELU's forward (erf) and
 * backward (exp) passes; ~0.3 ms so).
 *
 *     Exp: y = e^x (Cephes' expf: x = n ln 2 + r, e^r by a degree-5 polynomial, times 2^n; ~1 ulp)
 *     Erf: y = sign(x) (1 - (a1 t + ... + a5 t^5) e^(-x^2)), t = 1/(1 + p|x|)
 *          (Abramowitz and Stegun 7.1.26, |error| <= 1.5e-7: the formula tfjs's cpu and webgl
 *          backends use, so the three agree to float rounding)
 *     Rsqrt: y = 1 / sqrt(x) (a true square root and division; the batch-norm gradient's
 *          1/sqrt(variance + eps), tiled to the activations' shape by tfjs-layers' LayerNormalization)
 *
 * On the threaded build, large inputs are split in two with the helper thread. float32 only;
 * other dtypes, and a module that cannot load, go to `native`.
 *
 * @example
 * ```ts
 * tf.registerKernel(makeUnaryElementwiseConfig(tf.getKernel("Exp", "wasm")!, "Exp"));
 * ```
 */
export function makeUnaryElementwiseConfig(
  native: tf.KernelConfig,
  name: keyof typeof EXPORTS,
): tf.KernelConfig {
  return {
    ...native,
    kernelName: name,
    backendName: "wasm",
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const be = args.backend as DisposingWasmBackend;
      const m = x.dtype === "float32" ? convKernelModuleFor(be) : undefined;
      if (!m) return native.kernelFunc(args);
      const out = be.makeOutput([...x.shape], "float32");
      const n = tf.util.sizeFromShape(x.shape);
      const fn = EXPORTS[name];
      const px = heapOffset(be, x);
      const po = heapOffset(be, out);
      const helper = n >= MIN_SPLIT_SIZE ? convKernelHelperFor(m) : undefined;
      try {
        if (!helper) {
          if (n > 0) m.kernels[fn](px, po, n);
        } else {
          // the second half (from a multiple of 4 floats) on the helper thread
          const half = (n >> 3) << 2;
          splitWithHelper(
            m,
            helper,
            fn,
            [px, po, half],
            [px + 4 * half, po + 4 * half, n - half],
            10_000 + n / 1e4,
          );
        }
      } catch (e) {
        be.disposeData(out.dataId);
        throw e;
      }
      return out;
    },
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { convKernelModuleFor } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/**
 * Name of the kernel of {@link allFiniteConfig}. `@sam/core`'s `GroupedOptimizer` looks it up
 * by this name (its `ALL_FINITE_KERNEL`) for the check that ends every step: the loss and every
 * variable the step moved are finite.
 */
export const ALL_FINITE = "SamAllFinite";

/**
 * `SamAllFinite` on wasm: one bool scalar, true when every entry of every float32 input is
 * finite (no inf, no NaN), in one kernel call (`allFinite`, `kernels-c/elementwise.c`: one pass
 * over each input, the exponent bits tested 16 floats at a time). It stands for
 * `tf.all(tf.stack(inputs.map((x) => tf.all(tf.isFinite(x)))))`: two tfjs-wasm kernels per input
 * (a bool tensor the input's size, then its reduction) and a stack, which cost an MLP
 * 784-512-512-10's momentum-SGD step 1.7 of its 15.9 ms (`finite_check_ms` of
 * `pnpm bench:langevin`; 0.2 ms with this kernel). Inputs are named `"0"`, `"1"`, ... in any number (a step's loss and its moved
 * variables); an input of another dtype is refused, naming it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ALL_FINITE } from "@sam/backend";
 *
 * // registered on wasm by registerWasmTrainingKernels(); true here
 * const ok = tf.engine().runKernel(ALL_FINITE, { 0: tf.ones([3]), 1: tf.scalar(2) }, {}) as tf.Tensor;
 * ```
 */
export const allFiniteConfig: tf.KernelConfig = {
  kernelName: ALL_FINITE,
  backendName: "wasm",
  kernelFunc: (args) => {
    const be = args.backend as DisposingWasmBackend;
    const inputs = Object.entries(args.inputs as Record<string, tf.TensorInfo>);
    for (const [name, x] of inputs) {
      if (x.dtype !== "float32") {
        throw new Error(
          `${ALL_FINITE}: input ${name} is ${x.dtype} [${x.shape}]; it checks float32 tensors only ` +
            "(an int32 or bool tensor is always finite: leave it out).",
        );
      }
    }
    const m = convKernelModuleFor(be);
    let finite = true;
    for (const [, x] of inputs) {
      const n = tf.util.sizeFromShape(x.shape);
      if (n === 0) continue;
      const offset = heapOffset(be, x);
      finite = m ? m.kernels.allFinite(offset, n) === 1 : everyFinite(be, x);
      if (!finite) break;
    }
    const out = be.makeOutput([], "bool");
    (be.typedArrayFromHeap(out) as Uint8Array)[0] = finite ? 1 : 0;
    return out;
  },
};

/** The same test in JavaScript over the heap (a wasm build without SIMD, where the compiled module does not load). */
function everyFinite(be: DisposingWasmBackend, x: tf.TensorInfo): boolean {
  const values = be.typedArrayFromHeap(x) as Float32Array;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

import * as tf from "@tensorflow/tfjs-core";

/**
 * Name of an optional kernel that {@link allFinite} runs where the current backend registers
 * it: inputs `"0"`, `"1"`, ... (float32 tensors, any number), output one bool scalar, true when
 * every entry of every input is finite. `@sam/backend` registers it on wasm (its `ALL_FINITE`,
 * in `registerWasmTrainingKernels`); other backends take the portable path. A backend package
 * can register its own under this name.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ALL_FINITE_KERNEL } from "@sam/core";
 *
 * const fused = tf.getKernel(ALL_FINITE_KERNEL, tf.getBackend()) !== undefined;
 * ```
 */
export const ALL_FINITE_KERNEL = "SamAllFinite";

/**
 * One bool scalar: true when every entry of every tensor is finite (no inf, no NaN). The check
 * that ends every `GroupedOptimizer` step, over the loss and each variable the step moved. Where
 * the backend registers {@link ALL_FINITE_KERNEL} it is one kernel call; elsewhere
 * `all(isFinite(t))` per tensor, stacked and reduced (two kernels per tensor: on wasm that cost
 * an MLP's momentum-SGD step 1.7 of its 15.9 ms, against 0.2 ms through `@sam/backend`'s kernel).
 * The tensors must be float32.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { allFinite } from "@sam/core";
 *
 * allFinite([tf.scalar(1), tf.tensor([2, Number.NaN])]).dataSync()[0]; // 0: not all finite
 * ```
 */
export function allFinite(tensors: readonly tf.Tensor[]): tf.Tensor {
  if (tensors.length > 0 && tf.getKernel(ALL_FINITE_KERNEL, tf.getBackend())) {
    const inputs = Object.fromEntries(tensors.map((t, i) => [String(i), t])) as tf.NamedTensorMap;
    return tf.engine().runKernel(ALL_FINITE_KERNEL, inputs, {}) as tf.Tensor;
  }
  return tf.tidy(() => {
    // empty tensors are left out: tfjs's `all` of an empty tensor is false on cpu and wasm
    const checks = tensors.filter((t) => t.size > 0).map((t) => tf.all(tf.isFinite(t)));
    if (checks.length === 0) return tf.scalar(true, "bool");
    return checks.length === 1 ? checks[0]! : tf.all(tf.stack(checks));
  });
}

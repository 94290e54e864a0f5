import * as tf from "@tensorflow/tfjs-core";

/**
 * An `AddN` kernel that never hands the backend's own `AddN` more than `maxInputs()` tensors: the
 * sum s = x_1 + x_2 + ... + x_n is taken over chunks, left to right,
 *
 *     s_1 = x_1 + ... + x_m,   s_{j+1} = s_j + (the next m - 1 inputs),   m = maxInputs(),
 *
 * so each call of `native` gets at most m tensors (the partial sum takes one slot) and the order of
 * the additions is the one a single call would use. The partial sums are freed as it goes.
 *
 * Why: tfjs-backend-webgpu 4.22 binds every input of `AddN` as a storage buffer of one shader and
 * does not split the call (its `Concat` does), so with n >= `maxStorageBuffersPerShaderStage`
 * inputs (8 on many adapters, SwiftShader's included) the pipeline is invalid and the output
 * buffer is never written: `tf.addN` of 8 scalars 1..8 returned 28, the sum of the first seven
 * (measured in Chromium). SAM's gradient norm is an `addN` over every parameter, so every SAM-family
 * step on webgpu with 8 or more parameter tensors perturbed by a wrong amount.
 *
 * @param native - The backend's own `AddN` kernel (read with `tf.getKernel` before replacing it).
 * @param maxInputs - The most inputs `native` may take at once (at least 2).
 * @returns A kernel config for `native.backendName`.
 *
 * @example
 * ```ts
 * const native = tf.getKernel("AddN", "webgpu")!;
 * const limit = () => (tf.backend() as unknown as { device: { limits: { maxStorageBuffersPerShaderStage: number } } })
 *   .device.limits.maxStorageBuffersPerShaderStage - 1;
 * tf.unregisterKernel("AddN", "webgpu");
 * tf.registerKernel(chunkedAddNConfig(native, limit));
 * ```
 */
export function chunkedAddNConfig(native: tf.KernelConfig, maxInputs: () => number): tf.KernelConfig {
  return {
    kernelName: tf.AddN,
    backendName: native.backendName,
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.TensorInfo[];
      const m = Math.max(2, Math.floor(maxInputs()));
      if (inputs.length <= m) return native.kernelFunc(args);
      const backend = args.backend as unknown as { disposeData(dataId: object): void };
      let sum = native.kernelFunc({ ...args, inputs: inputs.slice(0, m) as never }) as tf.TensorInfo;
      for (let i = m; i < inputs.length; i += m - 1) {
        const next = native.kernelFunc({
          ...args,
          inputs: [sum, ...inputs.slice(i, i + m - 1)] as never,
        }) as tf.TensorInfo;
        backend.disposeData(sum.dataId);
        sum = next;
      }
      return sum;
    },
  };
}

/** Marks the AddN this module installed on webgpu (so a second setup does not wrap it twice). */
const CHUNKED = Symbol.for("@sam/backend/chunkedAddN");

/**
 * Replaces webgpu's `AddN` with {@link chunkedAddNConfig} over it, at most
 * `maxStorageBuffersPerShaderStage - 1` inputs a call (the output takes one binding). Called by
 * `setupWebGpu`; call it yourself if you set the webgpu backend up another way. Idempotent; does
 * nothing when webgpu has no `AddN` registered.
 *
 * @example
 * ```ts
 * await tf.setBackend("webgpu");
 * registerWebGpuAddN();
 * ```
 */
export function registerWebGpuAddN(): void {
  const native = tf.getKernel(tf.AddN, "webgpu") as (tf.KernelConfig & { [CHUNKED]?: true }) | undefined;
  if (!native || native[CHUNKED]) return;
  const limit = () => {
    const be = tf.findBackend("webgpu") as unknown as {
      device?: { limits?: { maxStorageBuffersPerShaderStage?: number } };
    } | null;
    return (be?.device?.limits?.maxStorageBuffersPerShaderStage ?? 8) - 1;
  };
  tf.unregisterKernel(tf.AddN, "webgpu");
  tf.registerKernel({ ...chunkedAddNConfig(native, limit), [CHUNKED]: true } as tf.KernelConfig);
}

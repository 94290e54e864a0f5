import type * as tf from "@tensorflow/tfjs-core";

/** The part of the wasm backend that sharing needs: one more reference to a tensor's buffer. */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * `x`'s data under a new tensor info (one more reference to the same buffer, no copy), with
 * `shape` when given (same size and element order).
 *
 * @example
 * ```ts
 * const x = tf.tensor([1, 2, 3, 4], [2, 2]);
 * const y = share(tf.backend(), x, [4]); // a [4] view: y.dataId === x.dataId
 * ```
 */
export function share(backend: unknown, x: tf.TensorInfo, shape: number[] = x.shape): tf.TensorInfo {
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

/**
 * `Identity` for wasm without a copy: the output shares the input's buffer (one more reference,
 * as the cpu backend does). tfjs-backend-wasm 4.22 copies the whole tensor instead, and the tape
 * of a training step calls `Identity` hundreds of times (`tf.clone` in tfjs-layers, the
 * gradients of `Reshape`-free ops, `Cast` to the same dtype): a WRN-16-4 step at batch 128 held
 * about 1 GB of such copies at its peak. tfjs kernels never write into their inputs, so sharing
 * is safe. Strings keep the native kernel.
 *
 * @example
 * ```ts
 * tf.registerKernel(makeIdentityConfig(tf.getKernel("Identity", "wasm")!));
 * ```
 */
export function makeIdentityConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      return x.dtype === "string" ? native.kernelFunc(args) : share(args.backend, x);
    },
  };
}

/**
 * `Cast` for wasm that shares the buffer (no copy, see {@link makeIdentityConfig}) when the
 * dtype does not change, and otherwise runs `native`.
 *
 * @example
 * ```ts
 * tf.registerKernel(makeCastConfig(tf.getKernel("Cast", "wasm")!));
 * ```
 */
export function makeCastConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { dtype } = args.attrs as unknown as tf.CastAttrs;
      return x.dtype === dtype && dtype !== "string" ? share(args.backend, x) : native.kernelFunc(args);
    },
  };
}

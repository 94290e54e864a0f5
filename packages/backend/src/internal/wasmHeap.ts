import type * as tf from "@tensorflow/tfjs-core";

/**
 * The part of `@tensorflow/tfjs-backend-wasm`'s `BackendWasm` that heap kernels use: allocate an
 * output in wasm memory and view any tensor's data in place (no copy).
 *
 * Typed structurally so that this package needs the wasm backend only at run time.
 *
 * @example
 * ```ts
 * const out = (backend as WasmHeapBackend).makeOutput([2, 3], "float32");
 * ```
 */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

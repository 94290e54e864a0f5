import type * as tf from "@tensorflow/tfjs-core";
import { heapOffset } from "./simdKernels";
import type { WasmHeapBackend } from "./wasmHeap";

/** A wasm backend that can also free what {@link WasmHeapBackend.makeOutput} allocated. */
export type DisposingWasmBackend = WasmHeapBackend & { disposeData(dataId: object): boolean };

/**
 * Copies small float32 vectors (per-channel parameters) into fresh wasm-heap buffers, calls
 * `f` with their byte pointers, and frees them again, also when `f` throws.
 *
 * @example
 * ```ts
 * withHeapVectors(backend, [mean, scale, offset], ([m, k, b]) => simd.chanAffine(x, out, rows, c4, m!, k!, b!));
 * ```
 */
export function withHeapVectors<T>(
  backend: DisposingWasmBackend,
  vectors: readonly Float32Array[],
  f: (pointers: number[]) => T,
): T {
  const infos: tf.TensorInfo[] = vectors.map((v) => backend.makeOutput([v.length], "float32"));
  try {
    infos.forEach((info, i) => (backend.typedArrayFromHeap(info) as Float32Array).set(vectors[i]!));
    return f(infos.map((info) => heapOffset(backend, info)));
  } finally {
    for (const info of infos) backend.disposeData(info.dataId);
  }
}

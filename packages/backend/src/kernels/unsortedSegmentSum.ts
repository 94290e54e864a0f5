import * as tf from "@tensorflow/tfjs-core";
import type { WasmHeapBackend } from "../internal/wasmHeap";

/**
 * Writes the unsorted segment sum of `x` into `out` (zeroed first).
 *
 * Symbols: x has shape [N, D_1, ..., D_k], flattened to rows of length R = D_1*...*D_k;
 * ids[n] is the segment of row n; S is the number of segments. Then
 *
 *     out[s, r] = sum_{n : ids[n] = s} x[n, r],   0 <= s < S,
 *
 * and rows whose id is outside [0, S) are dropped (as TensorFlow does).
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * segmentSumInto(new Float32Array([1, 2, 3]), 1, new Int32Array([0, 1, 0]), 2, out); // out = [4, 2]
 * ```
 */
export function segmentSumInto(
  x: tf.TypedArray,
  rowLength: number,
  ids: tf.TypedArray,
  numSegments: number,
  out: tf.TypedArray,
): void {
  out.fill(0);
  for (let n = 0; n < ids.length; n++) {
    const s = ids[n]!;
    if (s < 0 || s >= numSegments) continue;
    const src = n * rowLength;
    const dst = s * rowLength;
    for (let r = 0; r < rowLength; r++) out[dst + r] += x[src + r]!;
  }
}

/**
 * `UnsortedSegmentSum` for the wasm backend, which has none (it is the gradient of `tf.gather`,
 * so every embedding layer needs it to train): see {@link segmentSumInto}. Runs in JavaScript
 * directly on wasm memory. Only 1-D `segmentIds` (one id per row of x) are supported.
 *
 * @example
 * ```ts
 * tf.registerKernel(unsortedSegmentSumConfig);
 * ```
 */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
      throw new Error(
        `UnsortedSegmentSum (@sam/backend wasm): segmentIds must be 1-D with one id per row of x ` +
          `(shape [${x.shape[0]}]), got shape [${segmentIds.shape}]; reshape x to [rows, ...] and the ids to [rows].`,
      );
    }
    if (x.dtype !== "float32" && x.dtype !== "int32") {
      throw new Error(
        `UnsortedSegmentSum (@sam/backend wasm): x has dtype '${x.dtype}'; cast it to float32 or int32.`,
      );
    }
    const heap = backend as WasmHeapBackend;
    const rowLength = tf.util.sizeFromShape(x.shape.slice(1));
    const out = heap.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
    segmentSumInto(
      heap.typedArrayFromHeap(x),
      rowLength,
      heap.typedArrayFromHeap(segmentIds),
      numSegments,
      heap.typedArrayFromHeap(out),
    );
    return out;
  },
};

import * as tf from "@tensorflow/tfjs-core";
import { convKernelModuleFor } from "../internal/convKernels";
import { heapOffset } from "../internal/simdKernels";
import type { WasmHeapBackend } from "../internal/wasmHeap";

/**
 * Writes `tile(x, reps)` into `out` with block copies (`TypedArray.set` / `copyWithin`).
 *
 * Symbols: x has shape [d_0, ..., d_{n-1}], reps [r_0, ..., r_{n-1}], out has shape
 * [r_0*d_0, ..., r_{n-1}*d_{n-1}] and
 *
 *     out[t_0*d_0 + j_0, ..., t_{n-1}*d_{n-1} + j_{n-1}] = x[j_0, ..., j_{n-1}],  0 <= t_k < r_k.
 *
 * With S_k the row-major stride of out along axis k, fix a prefix (j_0..j_{k-1}) with t = 0:
 * the block of d_k*S_k elements that starts there is the tiled sub-tensor along axes >= k, and
 * copy number t_k of it starts t_k*d_k*S_k further on. So each block is written once (axes > k
 * first, recursively) and then duplicated r_k - 1 times by doubling `copyWithin` calls.
 * Cost: x.size / d_{n-1} row copies plus log2(r_k) memmoves per block: ~1 ns per element. When
 * d_{n-1} = 1 each row is one `fill` of r_{n-1} copies of its element.
 *
 * @example
 * ```ts
 * const out = new Float32Array(6);
 * tileInto(new Float32Array([1, 2]), [1, 2], [3, 1], out); // out = [1, 2, 1, 2, 1, 2]
 * ```
 */
export function tileInto(
  x: tf.TypedArray,
  xShape: readonly number[],
  reps: readonly number[],
  out: tf.TypedArray,
): void {
  const n = xShape.length;
  if (n === 0) {
    out[0] = x[0]!;
    return;
  }
  const xStrides = new Array<number>(n);
  const outStrides = new Array<number>(n);
  xStrides[n - 1] = 1;
  outStrides[n - 1] = 1;
  for (let k = n - 2; k >= 0; k--) {
    xStrides[k] = xStrides[k + 1]! * xShape[k + 1]!;
    outStrides[k] = outStrides[k + 1]! * xShape[k + 1]! * reps[k + 1]!;
  }
  const replicate = (start: number, block: number, times: number) => {
    let filled = block;
    const total = block * times;
    while (filled < total) {
      const len = Math.min(filled, total - filled);
      out.copyWithin(start + filled, start, start + len);
      filled += len;
    }
  };
  const write = (axis: number, xOff: number, outOff: number) => {
    const d = xShape[axis]!;
    if (axis === n - 1 && d === 1) {
      // a column broadcast (LayerNormalization's mean and variance over the last axis): one fill
      out.fill(x[xOff]!, outOff, outOff + reps[axis]!);
      return;
    }
    if (axis === n - 1) {
      out.set(x.subarray(xOff, xOff + d), outOff);
    } else {
      for (let j = 0; j < d; j++) write(axis + 1, xOff + j * xStrides[axis]!, outOff + j * outStrides[axis]!);
    }
    if (reps[axis]! > 1) replicate(outOff, d * outStrides[axis]!, reps[axis]!);
  };
  write(0, 0, 0);
}

/** Above this many innermost rows per element of output, the native kernel is kept. */
const MIN_ROW_LENGTH = 8;

/**
 * Builds a `Tile` kernel for wasm that replaces the built-in one (an index loop at ~75 ns per
 * element, 0.5 s of a batch-32 ResNet-20 step: the batch-norm gradient tiles 1/sqrt(var + eps)
 * to the full activation shape) with {@link tileInto}, writing straight into wasm memory.
 * Falls back to `native` for strings and for inputs whose innermost axis is shorter than 8 and
 * not the only one (many tiny copies), where the block copy has no edge, except a innermost axis
 * of 1 repeated 8 times or more (one `fill` per row: LayerNormalization's statistics tiled over
 * the features, 20-60 ms per call natively for a [64, 64, 1] x [1, 1, 64] tile, 0.3 ms so; when
 * only that axis repeats, the compiled SIMD `broadcastColumns` writes it, ~0.05 ms).
 *
 * @example
 * ```ts
 * tf.registerKernel(makeTileConfig(tf.getKernel("Tile", "wasm")!));
 * ```
 */
export function makeTileConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { reps } = args.attrs as unknown as tf.TileAttrs;
      const innermost = x.shape[x.shape.length - 1] ?? 1;
      const rows = tf.util.sizeFromShape(x.shape) / Math.max(innermost, 1);
      const fills = innermost === 1 && (reps[reps.length - 1] ?? 1) >= MIN_ROW_LENGTH;
      if (x.dtype === "string" || (innermost < MIN_ROW_LENGTH && rows > 1 && !fills))
        return native.kernelFunc(args);
      const backend = args.backend as WasmHeapBackend;
      const out = backend.makeOutput(
        x.shape.map((d, k) => d * reps[k]!),
        x.dtype,
      );
      const m = x.dtype === "float32" && fills ? convKernelModuleFor(backend) : undefined;
      const n = x.shape.length;
      if (m && reps.every((r, k) => r === 1 || k === n - 1)) {
        // only the innermost axis (of 1) repeated: one SIMD splat-store per row
        if (rows > 0)
          m.kernels.broadcastColumns(heapOffset(backend, x), heapOffset(backend, out), rows, reps[n - 1]!);
      } else if (tf.util.sizeFromShape(out.shape) > 0) {
        tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
      }
      return out;
    },
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { convKernelModuleFor } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset, simdKernelsFor } from "../internal/simdKernels";

/**
 * Builds a `Sum` or `Mean` kernel for wasm that handles the batch-norm reduction: x float32 of
 * shape [d_0, ..., d_{n-2}, C] reduced over every axis but the last (in any order, keepDims or
 * not), i.e. with R = d_0 * ... * d_{n-2} rows; more generally any reduction whose reduced axes
 * all come before its kept ones once axes of size 1 are left out (C = the product of the kept
 * sizes: e.g. the gradient of a `Tile` of gamma [1, 1, 64] by [64, 64, 1], a sum of dy reshaped to
 * [64, 1, 64, 1, 1, 64] over axes 0, 2, 4),
 *
 *     Sum:  s[c] = sum_{r < R} x[r, c]        Mean: s[c] / R,
 *
 * accumulated in float64 by one SIMD pass (~0.25 ns per element, against ~2 for tfjs-wasm, which
 * transposes first and sums in float32), then rounded once to float32. Other reductions, dtypes and
 * C not a multiple of 4 go to `native`. A `Sum` over trailing axes instead (the kept ones first,
 * e.g. a row sum, or the gradient of a `Tile` of LayerNormalization's statistics over the
 * features) is one pass of the compiled `rowSum` (four float32 partial sums per row). A `Sum` over
 * every axis longer than 1 (a squared norm, Langevin's kinetic energy) is one pass of the compiled
 * `sumAll`, accumulated in float64 and rounded once to float32 (tfjs-wasm's own loop sums in
 * float32 at ~1 ns an element; over a 784 x 512 layer's squares a float32 sum is off by ~1e-5).
 *
 * @example
 * ```ts
 * tf.registerKernel(makeChannelReduceConfig(tf.getKernel("Sum", "wasm")!, "Sum"));
 * ```
 */
export function makeChannelReduceConfig(native: tf.KernelConfig, op: "Sum" | "Mean"): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const backend = args.backend as DisposingWasmBackend;
      const n = x.shape.length;
      const reduced = new Set(n === 0 ? [] : tf.util.parseAxisParam(axis, x.shape));
      const kept = x.shape.filter((_, i) => !reduced.has(i));
      const outShape = keepDims ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : kept;
      const c = tf.util.sizeFromShape(kept);
      // the axes longer than 1, in order: reduced ones first, then kept ones
      const long = x.shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
      const firstKept = long.findIndex((i) => !reduced.has(i));
      const leading =
        reduced.size > 0 &&
        kept.length > 0 &&
        firstKept > 0 &&
        long.slice(firstKept).every((i) => !reduced.has(i));
      // a reduction over trailing axes (the kept ones all first): one compiled row-sum pass
      const trailing =
        op === "Sum" &&
        reduced.size > 0 &&
        kept.length > 0 &&
        firstKept === 0 &&
        long.findIndex((i) => reduced.has(i)) > 0 &&
        long.slice(long.findIndex((i) => reduced.has(i))).every((i) => reduced.has(i));
      // a reduction over every axis longer than 1 (a squared norm, a kinetic energy): one compiled
      // pass, accumulated in float64 and rounded once
      const size = tf.util.sizeFromShape(x.shape);
      const whole = op === "Sum" && reduced.size > 0 && long.length > 0 && long.every((i) => reduced.has(i));
      if (x.dtype === "float32" && whole) {
        const m = convKernelModuleFor(backend);
        if (m) {
          const out = backend.makeOutput(outShape, "float32");
          (backend.typedArrayFromHeap(out) as Float32Array)[0] = m.kernels.sumAll(
            heapOffset(backend, x),
            size,
          );
          return out;
        }
      }
      if (x.dtype === "float32" && trailing) {
        const m = convKernelModuleFor(backend);
        if (m) {
          const out = backend.makeOutput(outShape, "float32");
          const rows = tf.util.sizeFromShape(kept);
          const cols = size / rows;
          if (rows > 0) m.kernels.rowSum(heapOffset(backend, x), heapOffset(backend, out), rows, cols);
          return out;
        }
      }
      const simd = simdKernelsFor(backend);
      if (x.dtype !== "float32" || !leading || c === 0 || c % 4 !== 0 || !simd)
        return native.kernelFunc(args);
      const rows = size / c;
      const acc = backend.makeOutput([2 * c], "float32"); // C float64 accumulators
      try {
        const accPtr = heapOffset(backend, acc);
        if (accPtr % 8 !== 0) return native.kernelFunc(args);
        (backend.typedArrayFromHeap(acc) as Float32Array).fill(0);
        simd.chanSum(heapOffset(backend, x), rows, c / 4, accPtr);
        const sums = new Float64Array((backend.typedArrayFromHeap(acc) as Float32Array).buffer, accPtr, c);
        const result = new Float32Array(c);
        for (let j = 0; j < c; j++) result[j] = op === "Mean" ? sums[j]! / rows : sums[j]!;
        const out = backend.makeOutput(outShape, "float32");
        (backend.typedArrayFromHeap(out) as Float32Array).set(result);
        return out;
      } finally {
        backend.disposeData(acc.dataId);
      }
    },
  };
}

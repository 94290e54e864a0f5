import * as tf from "@tensorflow/tfjs-core";
import { type DisposingWasmBackend, withHeapVectors } from "../internal/heapVectors";
import { convKernelModuleFor } from "../internal/convKernels";
import { heapOffset, simdKernelsFor } from "../internal/simdKernels";

/**
 * The batch norm with every operand of x's shape, elementwise, by the compiled SIMD loop
 * (`kernels-c/elementwise.c`): y = (x - mean) / sqrt(variance + eps) * scale + offset. This is
 * how tfjs-layers' `LayerNormalization` calls it (its statistics and gamma/beta tiled to the
 * input's shape), which tfjs-wasm runs through its broadcasting index loop. Undefined when the
 * compiled module cannot load.
 */
function normalizeElementwise(
  backend: DisposingWasmBackend,
  x: tf.TensorInfo,
  mean: tf.TensorInfo,
  variance: tf.TensorInfo,
  scale: tf.TensorInfo | undefined,
  offset: tf.TensorInfo | undefined,
  eps: number,
): tf.TensorInfo | undefined {
  const m = convKernelModuleFor(backend);
  if (!m) return undefined;
  const out = backend.makeOutput([...x.shape], "float32");
  const n = tf.util.sizeFromShape(x.shape);
  const at = (t: tf.TensorInfo | undefined) => (t ? heapOffset(backend, t) : 0);
  if (n > 0)
    m.kernels.normalizeElementwise(at(x), at(mean), at(variance), at(scale), at(offset), at(out), n, eps);
  return out;
}

/**
 * Per-channel coefficients of batch normalisation. Symbols: x [..., C], per channel c the mean
 * mu[c], variance var[c], scale gamma[c] (1 when absent), offset beta[c] (0 when absent) and
 * epsilon eps. Batch normalisation is
 *
 *     y[r, c] = (x[r, c] - mu[c]) * k[c] + beta[c],   k[c] = gamma[c] / sqrt(var[c] + eps),
 *
 * with k computed in float64 and rounded once.
 *
 * @example
 * ```ts
 * batchNormScale(new Float32Array([4]), new Float32Array([2]), 0); // [1]
 * ```
 */
export function batchNormScale(
  variance: Float32Array,
  scale: Float32Array | undefined,
  eps: number,
): Float32Array {
  const k = new Float32Array(variance.length);
  for (let c = 0; c < k.length; c++) k[c] = (scale ? scale[c]! : 1) / Math.sqrt(variance[c]! + eps);
  return k;
}

/**
 * `FusedBatchNorm` (batch normalisation forward) for wasm as one SIMD pass over x,
 * y = (x - mu) * k + beta with k = gamma / sqrt(var + eps) (see {@link batchNormScale}):
 * ~0.25 ns per element against ~8 for tfjs-wasm's kernel. Handles float32 x whose last axis C is
 * a multiple of 4 with per-channel (size-C) mean, variance, scale and offset; anything else goes
 * to `native`.
 *
 * @example
 * ```ts
 * tf.registerKernel(makeFusedBatchNormConfig(tf.getKernel("FusedBatchNorm", "wasm")!));
 * ```
 */
export function makeFusedBatchNormConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { x, mean, variance, scale, offset } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
      const backend = args.backend as DisposingWasmBackend;
      const c = x!.shape[x!.shape.length - 1] ?? 0;
      const perChannel = [mean, variance, scale, offset].every(
        (t) =>
          t == null ||
          (t.dtype === "float32" && tf.util.sizeFromShape(t.shape) === c && t.shape.length === 1),
      );
      // same elements in the same order: equal shapes but for leading axes of 1
      const core = (shape: number[]) => shape.slice(shape.findIndex((d) => d !== 1)).join();
      const elementwise = [mean, variance, scale, offset].every(
        (t) =>
          t == null ||
          (t.dtype === "float32" &&
            tf.util.sizeFromShape(t.shape) === tf.util.sizeFromShape(x!.shape) &&
            core(t.shape) === core(x!.shape)),
      );
      if (x!.dtype === "float32" && elementwise && mean && variance) {
        const out = normalizeElementwise(backend, x!, mean, variance, scale, offset, varianceEpsilon);
        if (out) return out;
      }
      const simd = simdKernelsFor(backend);
      if (x!.dtype !== "float32" || c === 0 || c % 4 !== 0 || !perChannel || !simd)
        return native.kernelFunc(args);
      const read = (t: tf.TensorInfo | undefined) =>
        t == null ? undefined : (backend.typedArrayFromHeap(t) as Float32Array).slice();
      const mu = read(mean)!;
      const k = batchNormScale(read(variance)!, read(scale), varianceEpsilon);
      const beta = read(offset) ?? new Float32Array(c);
      const out = backend.makeOutput([...x!.shape], "float32");
      const size = tf.util.sizeFromShape(x!.shape);
      if (size === 0) return out;
      withHeapVectors(backend, [mu, k, beta], ([pm, pk, pb]) =>
        simd.chanAffine(heapOffset(backend, x!), heapOffset(backend, out), size / c, c / 4, pm!, pk!, pb!),
      );
      return out;
    },
  };
}

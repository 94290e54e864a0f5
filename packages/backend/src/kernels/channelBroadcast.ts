import * as tf from "@tensorflow/tfjs-core";
import { convKernelModuleFor } from "../internal/convKernels";
import { type DisposingWasmBackend, withHeapVectors } from "../internal/heapVectors";
import { heapOffset, simdKernelsFor } from "../internal/simdKernels";

/** The binary kernels that {@link makeChannelBroadcastConfig} speeds up. */
export type ChannelBroadcastOp = "Add" | "Sub" | "Multiply";

/** A per-channel operand: size C and every axis 1 but the last (shape [C], [1, C], [1, 1, 1, C], ...). */
function isChannelVector(shape: readonly number[], c: number): boolean {
  return shape.length >= 1 && shape[shape.length - 1] === c && shape.slice(0, -1).every((d) => d === 1);
}

/** Op codes of the compiled `scalarElementwise`: x * s, x + s, x - s, s - x. */
const SCALAR_OPS = { Multiply: 0, Add: 1, Sub: 2 } as const;

/**
 * `a op b` when one operand holds one number (shape [], [1], [1, 1], ...): one SIMD pass of the
 * compiled `scalarElementwise` (tfjs-wasm's broadcasting loop took ~0.9 ns an element). Exact:
 * the same single float32 operation per element. Undefined when neither is a single number or
 * the compiled module cannot load.
 */
function byScalar(
  backend: DisposingWasmBackend,
  op: ChannelBroadcastOp,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo | undefined {
  const bScalar = tf.util.sizeFromShape(b.shape) === 1;
  if (!bScalar && tf.util.sizeFromShape(a.shape) !== 1) return undefined;
  const m = convKernelModuleFor(backend);
  if (!m) return undefined;
  const [full, one] = bScalar ? [a, b] : [b, a];
  const s = (backend.typedArrayFromHeap(one) as Float32Array)[0]!;
  const code = op === "Sub" && !bScalar ? 3 : SCALAR_OPS[op];
  const out = backend.makeOutput(tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape), "float32");
  const n = tf.util.sizeFromShape(out.shape);
  if (n > 0) m.kernels.scalarElementwise(heapOffset(backend, full), heapOffset(backend, out), n, s, code);
  return out;
}

/**
 * Coefficients (m, k, b) of out[r, c] = (t[r, c] - m[c]) * k[c] + b[c], where t is the full operand
 * (R rows of C channels) and v the per-channel one, for each op and operand order:
 *
 *     t + v = (t - 0) * 1 + v        v + t: the same
 *     t - v = (t - v) * 1 + 0        v - t = (t - v) * (-1) + 0
 *     t * v = (t - 0) * v + 0        v * t: the same
 *
 * Each is exact in float32 (subtracting or adding 0, multiplying by +-1 do not round), so the
 * result equals the plain op bit for bit (up to the sign of a zero).
 *
 * @example
 * ```ts
 * channelCoefficients("Sub", new Float32Array([1, 2]), true); // v - t: m = v, k = -1, b = 0
 * ```
 */
export function channelCoefficients(
  op: ChannelBroadcastOp,
  v: Float32Array,
  vectorFirst: boolean,
): [Float32Array, Float32Array, Float32Array] {
  const c = v.length;
  const zeros = new Float32Array(c);
  const ones = new Float32Array(c).fill(1);
  switch (op) {
    case "Add":
      return [zeros, ones, v];
    case "Sub":
      return [v, vectorFirst ? new Float32Array(c).fill(-1) : ones, zeros];
    case "Multiply":
      return [zeros, v, zeros];
  }
}

/**
 * Builds an `Add`, `Sub` or `Multiply` kernel for wasm that handles the batch-norm pattern (a full
 * float32 tensor [..., C] with a per-channel vector [C] or [1, ..., 1, C], either order) with one
 * SIMD pass, {@link channelCoefficients}: ~0.25 ns per element against 1.1-1.5 for tfjs-wasm's
 * broadcasting loop. Every other case (same shapes, scalars, other dtypes, C not a multiple of 4)
 * goes to `native`.
 *
 * @example
 * ```ts
 * tf.registerKernel(makeChannelBroadcastConfig(tf.getKernel("Multiply", "wasm")!, "Multiply"));
 * ```
 */
export function makeChannelBroadcastConfig(native: tf.KernelConfig, op: ChannelBroadcastOp): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const backend = args.backend as DisposingWasmBackend;
      if (a.dtype !== "float32" || b.dtype !== "float32") return native.kernelFunc(args);
      const scalarOut = byScalar(backend, op, a, b);
      if (scalarOut) return scalarOut;
      const aFull = a.shape.length > 0 && !isChannelVector(a.shape, a.shape[a.shape.length - 1]!);
      const full = aFull ? a : b;
      const vec = aFull ? b : a;
      const c = full.shape[full.shape.length - 1] ?? 0;
      if (c === 0 || c % 4 !== 0 || !isChannelVector(vec.shape, c) || vec.shape.length > full.shape.length) {
        return native.kernelFunc(args);
      }
      const simd = simdKernelsFor(backend);
      if (!simd) return native.kernelFunc(args);
      const size = tf.util.sizeFromShape(full.shape);
      const v = (backend.typedArrayFromHeap(vec) as Float32Array).slice();
      const [m, k, bb] = channelCoefficients(op, v, !aFull);
      const out = backend.makeOutput([...full.shape], "float32");
      if (size === 0) return out;
      withHeapVectors(backend, [m, k, bb], ([pm, pk, pb]) =>
        simd.chanAffine(heapOffset(backend, full), heapOffset(backend, out), size / c, c / 4, pm!, pk!, pb!),
      );
      return out;
    },
  };
}

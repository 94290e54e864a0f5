import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { convKernelHelperFor, convKernelModuleFor, splitWithHelper } from "../internal/convKernels";
import { heapOffset, type SimdKernels, simdKernelsFor } from "../internal/simdKernels";

/**
 * `x` of shape [..., R, C] with its last two axes swapped, [..., C, R], by the SIMD gather loop
 * (out[t, c, r] = x[t, r, c]; one call per leading index t): ~0.5 ns an element where tfjs-wasm's
 * `Transpose` took 5-20.
 */
function swapLastTwo(be: DisposingWasmBackend, simd: SimdKernels, x: tf.Tensor): tf.Tensor {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2]!;
  const cols = x.shape[rank - 1]!;
  const outer = tf.util.sizeFromShape(x.shape.slice(0, -2));
  const info = be.makeOutput([...x.shape.slice(0, -2), cols, rows], "float32");
  const src = heapOffset(be, x);
  const dst = heapOffset(be, info);
  const vector = cols % 4 === 0;
  const block = rows * cols * 4;
  for (let t = 0; t < outer; t++) {
    // p: one step; q: the R rows of x (cols*4 bytes apart); channels: the C columns, each written
    // as one contiguous output row of R floats (rows*4 bytes apart)
    (vector ? simd.gatherTap4 : simd.gatherTap)(
      src + t * block,
      0,
      cols * 4,
      dst + t * block,
      0,
      1,
      rows,
      vector ? cols / 4 : cols,
      rows * 4,
    );
  }
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Below this many multiply-adds the second thread is not worth its hand-off. */
const MIN_SPLIT_MACS = 1e6;

/** Floats of one scratch panel of `kernels-c/matMul.c` (KC x 8, KC = 256). */
const SCRATCH_FLOATS = 256 * 8;

/** The first 16-byte aligned address at or after `p`. */
function align16(p: number): number {
  return (p + 15) & ~15;
}

let compiledEnabled = true;

/**
 * Turns the compiled product of {@link makeBatchMatMulConfig} and {@link makeFusedMatMulConfig}
 * on (default) or off (then tfjs-wasm's own kernels run: XNNPACK, or its scalar loop for
 * transposed and batched products), so that a benchmark can compare both in one process. Internal.
 *
 * @example
 * ```ts
 * setCompiledMatMul(false); // ... time a step on the previous path ...
 * setCompiledMatMul(true);
 * ```
 */
export function setCompiledMatMul(enabled: boolean): void {
  compiledEnabled = enabled;
}

/**
 * The leading (batch) shape of the product of operands with batch shapes `sa` and `sb`, or
 * undefined when the compiled kernel does not cover their broadcast: equal batch shapes, or one
 * side of batch size 1 (shared by every batch of the other).
 */
function batchShapeOf(sa: number[], sb: number[]): number[] | undefined {
  const na = tf.util.sizeFromShape(sa);
  const nb = tf.util.sizeFromShape(sb);
  if (sa.join() === sb.join()) return sa;
  if (nb === 1 && sa.length >= sb.length) return sa;
  if (na === 1 && sb.length >= sa.length) return sb;
  return undefined;
}

/**
 * `a . b` by the compiled kernel `matMul` (`kernels-c/matMul.c`), in place on the wasm heap; or
 * undefined when it does not apply (not float32, no compiled module, a broadcast other than a
 * shared operand of batch 1).
 *
 * A transposed `a` costs nothing: the kernel reads A(t, m, k) through element strides (am, ak) =
 * (1, M) instead of (K, 1). A transposed `b` is transposed first (a SIMD gather, one pass), since
 * the kernel wants B's rows contiguous. On the threaded build the batches (or, for one batch, the
 * rows of out) are split with the helper thread, as for the convolutions.
 */
export function compiledMatMul(
  be: DisposingWasmBackend,
  simd: SimdKernels,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32") return undefined;
  const m = convKernelModuleFor(be);
  if (!m) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchShape = batchShapeOf(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!batchShape) return undefined;
  const rows = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const inner = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const cols = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batch = tf.util.sizeFromShape(batchShape);
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const out = be.makeOutput([...batchShape, rows, cols], "float32");
  // two 16-byte aligned scratch panels of KC x 8 floats (the caller's and the helper's)
  const scratch = be.makeOutput([2 * (SCRATCH_FLOATS + 4)], "float32");
  let bt: tf.Tensor | undefined;
  try {
    if (transposeB) bt = swapLastTwo(be, simd, tf.reshape(asTensor(b), [batchB, cols, inner]));
    const strides = [
      batchA === 1 ? 0 : rows * inner, // sa
      transposeA ? 1 : inner, // am
      transposeA ? rows : 1, // ak
      batchB === 1 ? 0 : inner * cols, // sb
    ];
    const pa = heapOffset(be, a);
    const pb = bt ? heapOffset(be, bt) : heapOffset(be, b);
    const po = heapOffset(be, out);
    const ps = heapOffset(be, scratch);
    const scratches = [align16(ps), align16(ps + 4 * (SCRATCH_FLOATS + 4))];
    const macs = batch * rows * inner * cols;
    const helper = macs >= MIN_SPLIT_MACS && (batch >= 2 || rows >= 8) ? convKernelHelperFor(m) : undefined;
    // args for batches [t0, t1) and rows [m0, m1), with scratch panel `s` (0: this thread, 1: helper)
    const args = (t0: number, t1: number, m0: number, m1: number, s: 0 | 1) => [
      ...[pa, pb, po, t0, t1, rows, inner, cols, ...strides],
      ...[m0, m1, 0, scratches[s]!],
    ];
    if (!helper) {
      m.kernels.matMul(...args(0, batch, 0, rows, 0));
    } else if (batch >= 2) {
      const half = batch >> 1; // halves of the batches
      splitWithHelper(
        m,
        helper,
        "matMul",
        args(0, half, 0, rows, 0),
        args(half, batch, 0, rows, 1),
        10_000 + macs / 5e4,
      );
    } else {
      const half = (rows >> 3) << 2 || rows >> 1; // halves of the rows, cut at a multiple of 4
      splitWithHelper(
        m,
        helper,
        "matMul",
        args(0, 1, 0, half, 0),
        args(0, 1, half, rows, 1),
        10_000 + macs / 5e4,
      );
    }
  } catch (e) {
    be.disposeData(out.dataId);
    throw e;
  } finally {
    be.disposeData(scratch.dataId);
    bt?.dispose();
  }
  return out;
}

/**
 * `BatchMatMul` for wasm that keeps the products a training step makes off tfjs-wasm's scalar loop.
 *
 * tfjs-backend-wasm 4.22 runs `a . b` on XNNPACK only when neither input is transposed and both
 * have batch 1; every other product takes a scalar triple loop (`slow_batch_matmul`, 5-10x
 * slower). A dense layer's backward pass is made of exactly those: dx = dy . W^T
 * (`transposeB`) and dW = x^T . dy (`transposeA`); a dense layer on a [B, T, d] input (a
 * transformer's tokens) multiplies a batched a by an unbatched W, and attention multiplies
 * batched by batched (Q.K^T, P.V and their gradients). With a of shape [..., M, K] (or
 * [..., K, M] when transposed), b [..., K, N] (or [..., N, K]) and out [..., M, N]:
 *
 *     out[..., m, n] = sum_k a[..., m, k] * b[..., k, n],
 *
 * every float32 product goes to the compiled kernel ({@link compiledMatMul}: register-blocked
 * 4 x 8 SIMD tiles over aligned panels of K; a transposed `a` read in place through its strides;
 * split over two threads on the threaded build), 20-25% faster than XNNPACK's on a dense layer's
 * [4096, 64] . [64, 64] here. Other dtypes and broadcasts of batches other than a shared operand
 * of batch 1 go to `native` (XNNPACK, or tfjs-wasm's loop).
 *
 * @example
 * ```ts
 * tf.registerKernel(makeBatchMatMulConfig(tf.getKernel("BatchMatMul", "wasm")!));
 * ```
 */
export function makeBatchMatMulConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
      const be = args.backend as DisposingWasmBackend;
      const simd = simdKernelsFor(be);
      if (!simd || !compiledEnabled) return native.kernelFunc(args);
      return compiledMatMul(be, simd, a, b, transposeA, transposeB) ?? native.kernelFunc(args);
    },
  };
}

/**
 * `_FusedMatMul` (a dense layer's forward: act(a . b + bias)) for wasm: the product by
 * {@link compiledMatMul}, then one pass of the compiled `biasActivation` for the bias and a
 * linear or ReLU activation. Other activations, PReLU weights, a bias that is not one value per
 * column, and non-float32 inputs go to `native` (XNNPACK).
 *
 * @example
 * ```ts
 * tf.registerKernel(makeFusedMatMulConfig(tf.getKernel("_FusedMatMul", "wasm")!));
 * ```
 */
export function makeFusedMatMulConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const { transposeA, transposeB, activation } = args.attrs as unknown as tf.BatchMatMulAttrs & {
        activation?: string;
      };
      const be = args.backend as DisposingWasmBackend;
      const simd = simdKernelsFor(be);
      const m = convKernelModuleFor(be);
      const cols = transposeB ? b!.shape[b!.shape.length - 2]! : b!.shape[b!.shape.length - 1]!;
      const act = activation ?? "linear";
      if (
        !simd ||
        !m ||
        !compiledEnabled ||
        preluActivationWeights ||
        (act !== "linear" && act !== "relu") ||
        (bias &&
          (bias.dtype !== "float32" ||
            tf.util.sizeFromShape(bias.shape) !== cols ||
            bias.shape[bias.shape.length - 1] !== cols))
      )
        return native.kernelFunc(args);
      const out = compiledMatMul(be, simd, a!, b!, transposeA, transposeB);
      if (!out) return native.kernelFunc(args);
      const n = tf.util.sizeFromShape(out.shape);
      if (n > 0 && (bias || act === "relu"))
        m.kernels.biasActivation(
          heapOffset(be, out),
          bias ? heapOffset(be, bias) : 0,
          n / cols,
          cols,
          act === "relu" ? 1 : 0,
        );
      return out;
    },
  };
}

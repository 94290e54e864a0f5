import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";
import type { DisposingWasmBackend } from "../internal/heapVectors";
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
 * this kernel transposes a transposed operand first (a SIMD gather, one pass), then
 * (1) with b of batch 1 and a not transposed, folds a's batch axes into M ([B*M, K] . [K, N],
 * no copy) for XNNPACK's GEMM; (2) with both batched alike and N a multiple of 4, runs a SIMD
 * loop: for M a multiple of 4, a 4x4 block of out at a time with its sums in registers
 * (sum over k of splat(a[b, i + t, k]) * b[b, k, j:j+4], t < 4), else one row at a time
 * (out row += a[b, i, k] * row k of b, four columns a step). Other cases (broadcast
 * batches, odd N without batch 1, non-float32) go to `native`.
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
      const ra = a.shape.length;
      const rb = b.shape.length;
      const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
      const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
      const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
      const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
      const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
      const direct = !transposeA && !transposeB && batchA === 1 && batchB === 1;
      const folded = batchB === 1 && (batchA === 1 || !transposeA);
      const be = args.backend as DisposingWasmBackend;
      const simd = simdKernelsFor(be);
      const batched =
        !folded &&
        batchA === batchB &&
        n % 4 === 0 &&
        ra === rb &&
        a.shape.slice(0, -2).join() === b.shape.slice(0, -2).join();
      if (direct || !simd || (!folded && !batched) || a.dtype !== "float32" || b.dtype !== "float32")
        return native.kernelFunc(args);
      return tf.tidy(() => {
        const a3 = tf.reshape(asTensor(a), [batchA, ...a.shape.slice(-2)]);
        const b3 = tf.reshape(asTensor(b), [batchB, ...b.shape.slice(-2)]);
        const an = transposeA ? swapLastTwo(be, simd, a3) : a3; // [batchA, M, K]
        const bn = transposeB ? swapLastTwo(be, simd, b3) : b3; // [batchB, K, N]
        const outShape = [...a.shape.slice(0, -2), m, n];
        if (folded) {
          const out = native.kernelFunc({
            inputs: { a: tf.reshape(an, [1, batchA * m, k]), b: bn },
            attrs: { transposeA: false, transposeB: false },
            backend: be,
          }) as tf.TensorInfo;
          return tf.reshape(tf.engine().makeTensorFromTensorInfo(out), outShape);
        }
        const info = be.makeOutput(outShape, "float32");
        const four = m % 4 === 0;
        if (!four) (be.typedArrayFromHeap(info) as Float32Array).fill(0);
        (four ? simd.matMulBatched4 : simd.matMulBatched)(
          heapOffset(be, an),
          heapOffset(be, bn),
          heapOffset(be, info),
          batchA,
          m,
          k,
          n / 4,
          m * k * 4,
          k * n * 4,
        );
        return tf.engine().makeTensorFromTensorInfo(info);
      });
    },
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";

/**
 * `BatchMatMul` for wasm that keeps the products a training step makes on XNNPACK's GEMM.
 *
 * tfjs-backend-wasm 4.22 runs `a . b` on XNNPACK only when neither input is transposed and both
 * have batch 1; every other product takes a scalar triple loop (`slow_batch_matmul`, 5-10x
 * slower). A dense layer's backward pass is made of exactly those: dx = dy . W^T
 * (`transposeB`) and dW = x^T . dy (`transposeA`), and a dense layer on a [B, T, d] input (a
 * transformer's tokens) multiplies a batched a by an unbatched W. With
 * a of shape [..., M, K] (or [..., K, M] when transposed), b [K, N] (or [N, K]) and out [..., M, N]:
 *
 *     out[..., m, n] = sum_k a[..., m, k] * b[k, n],
 *
 * this kernel (1) folds a's batch axes into M when b has batch 1 and a is not transposed
 * ([B*M, K] . [K, N], no copy), (2) transposes a transposed operand of batch 1 explicitly first
 * (one pass over it, then the GEMM), and passes everything else (both operands batched, as in
 * attention's Q.K^T) to `native`.
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
      const direct = !transposeA && !transposeB && batchA === 1 && batchB === 1;
      const foldable = batchB === 1 && (batchA === 1 || !transposeA);
      if (direct || !foldable || a.dtype !== "float32" || b.dtype !== "float32")
        return native.kernelFunc(args);
      const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
      const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
      const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
      return tf.tidy(() => {
        const a2 = transposeA
          ? tf.transpose(tf.reshape(asTensor(a), [k, m]))
          : tf.reshape(asTensor(a), [batchA * m, k]);
        const b2 = transposeB
          ? tf.transpose(tf.reshape(asTensor(b), [n, k]))
          : tf.reshape(asTensor(b), [k, n]);
        const out = native.kernelFunc({
          inputs: { a: tf.reshape(a2, [1, batchA * m, k]), b: tf.reshape(b2, [1, k, n]) },
          attrs: { transposeA: false, transposeB: false },
          backend: args.backend,
        }) as tf.TensorInfo;
        const outShape = [...a.shape.slice(0, -2), m, n];
        return tf.reshape(tf.engine().makeTensorFromTensorInfo(out), outShape);
      });
    },
  };
}

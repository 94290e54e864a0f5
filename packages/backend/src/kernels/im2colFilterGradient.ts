import * as tf from "@tensorflow/tfjs-core";
import type { ConvGeometry } from "../internal/convGeometry";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset, simdKernelsFor } from "../internal/simdKernels";

/** Largest colsT chunk {@link im2colFilterGradient} allocates by default: 8 MiB (smaller chunks fit in a fragmented heap and ran ResNet-20 4-5 % faster than 32 MiB). */
export const IM2COL_CHUNK_BYTES = 8 * 2 ** 20;

/**
 * Filter gradient of a 2-D convolution (NHWC) as one matrix product, with no transpose.
 *
 * Symbols: x [B, H, W, C], dy [B, OH, OW, O], filter [KH, KW, C, O], strides (s_h, s_w), pt/pl
 * the zero rows/columns added above/left, N = B*OH*OW output positions n = (b*OH + p)*OW + q.
 * From y[b, p, q, o] = sum_{i, j, c} x[b, p*s_h + i - pt, q*s_w + j - pl, c] * W[i, j, c, o]
 * (x = 0 outside the image), the filter gradient is
 *
 *     dW[i, j, c, o] = sum_n colsT[(i*KW + j)*C + c, n] * dy[n, o],
 *     colsT[(i*KW + j)*C + c, n] = x[b, p*s_h + i - pt, q*s_w + j - pl, c]  (0 outside),
 *
 * i.e. dW = colsT . dy as [KH*KW*C, N] x [N, O], where dy as [N, O] is dy's own NHWC memory. The
 * product runs on XNNPACK's fully-connected GEMM (dy is its "weights"), as fast as the forward
 * convolution; colsT is written by a SIMD gather loop (~0.5 ns per element, KH*KW elements per
 * element of x), one call per tap (i, j) and image b, over the output rows p whose input row is
 * inside the image and the columns q likewise (the rest stays zero).
 *
 * Memory: colsT of the whole batch is KH*KW times x (302 MB for a 3x3, 64-channel 32x32 layer
 * at batch 128), so it is built for a chunk of nb images at a time, at most `maxChunkBytes`
 * (default {@link IM2COL_CHUNK_BYTES}), and the products are summed, dW = sum over chunks of
 * colsT_chunk . dy_chunk (the sum over n split by image): the kernel's extra memory is bounded
 * whatever the batch.
 *
 * Returns undefined when the SIMD loops are unavailable (then use the forward-convolution form).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal<tf.Rank.R4>([2, 9, 9, 8]); // [B, H, W, C]
 * const dy = tf.randomNormal<tf.Rank.R4>([2, 5, 5, 16]); // [B, OH, OW, O]
 * // 3x3 filter, stride 2, "same": 9x9 -> 5x5 with one zero row above and one zero column left
 * const geometry = { batch: 2, inHeight: 9, inWidth: 9, outHeight: 5, outWidth: 5, filterHeight: 3,
 *   filterWidth: 3, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1 };
 * const dW = im2colFilterGradient(tf.backend(), x, dy, geometry, 16); // [3, 3, 8, 16], or undefined
 * ```
 */
export function im2colFilterGradient(
  backend: unknown,
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  outChannels: number,
  maxChunkBytes: number = IM2COL_CHUNK_BYTES,
): tf.Tensor4D | undefined {
  const be = backend as DisposingWasmBackend;
  const simd = simdKernelsFor(be);
  if (!simd || x.dtype !== "float32" || dy.dtype !== "float32") return undefined;
  const c = x.shape[3];
  const {
    batch,
    inHeight: h,
    inWidth: wd,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
  } = g;
  const { strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  const n = batch * oh * ow;
  const k = kh * kw * c;
  // Images per chunk: colsT of one chunk is k * nb * OH * OW floats, at most maxChunkBytes.
  const perImage = k * oh * ow * 4;
  const nb = Math.max(1, Math.min(batch, Math.floor(maxChunkBytes / perImage)));
  const src = heapOffset(be, x);
  const dyAt = heapOffset(be, dy);
  const vector = c % 4 === 0;
  const gather = vector ? simd.gatherTap4 : simd.gatherTap;
  /** colsT[., n'] for the images b0 <= b < b0 + count, n' = ((b - b0)*OH + p)*OW + q. */
  const gatherChunk = (b0: number, count: number): tf.TensorInfo => {
    const m = count * oh * ow;
    const colsInfo = be.makeOutput([k, m], "float32");
    (be.typedArrayFromHeap(colsInfo) as Float32Array).fill(0);
    const dst = heapOffset(be, colsInfo);
    for (let i = 0; i < kh; i++) {
      // rows p with 0 <= p*s_h + i - pt <= H - 1
      const p0 = Math.max(0, Math.ceil((pt - i) / sh));
      const p1 = Math.min(oh, Math.floor((h - 1 + pt - i) / sh) + 1);
      if (p1 <= p0) continue;
      for (let j = 0; j < kw; j++) {
        const q0 = Math.max(0, Math.ceil((pl - j) / sw));
        const q1 = Math.min(ow, Math.floor((wd - 1 + pl - j) / sw) + 1);
        if (q1 <= q0) continue;
        const tapRow = (i * kw + j) * c;
        for (let b = 0; b < count; b++) {
          const from = src + (((b0 + b) * h + p0 * sh + i - pt) * wd + q0 * sw + j - pl) * c * 4;
          const to = dst + (tapRow * m + (b * oh + p0) * ow + q0) * 4;
          gather(from, sh * wd * c * 4, sw * c * 4, to, ow * 4, p1 - p0, q1 - q0, vector ? c / 4 : c, m * 4);
        }
      }
    }
    return colsInfo;
  };
  /** dy's rows of the same images, [count*OH*OW, O]: a view of dy when it is all of it, else a copy. */
  const dyChunk = (b0: number, count: number): tf.Tensor2D => {
    const m = count * oh * ow;
    if (count === batch) return tf.reshape(dy, [n, outChannels]);
    const info = be.makeOutput([m, outChannels], "float32");
    const heap = be.typedArrayFromHeap(info) as Float32Array;
    const from = dyAt / 4 + b0 * oh * ow * outChannels;
    heap.set(new Float32Array(heap.buffer, from * 4, m * outChannels));
    return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
  };
  let dW: tf.Tensor2D | undefined;
  for (let b0 = 0; b0 < batch; b0 += nb) {
    const count = Math.min(nb, batch - b0);
    const next = tf.tidy(() => {
      const cols = tf.engine().makeTensorFromTensorInfo(gatherChunk(b0, count)) as tf.Tensor2D;
      const part = tf.matMul(cols, dyChunk(b0, count));
      return dW ? tf.add(dW, part) : part;
    });
    dW?.dispose();
    dW = next as tf.Tensor2D;
  }
  const result = tf.reshape(dW!, [kh, kw, c, outChannels]) as tf.Tensor4D;
  dW!.dispose();
  return result;
}

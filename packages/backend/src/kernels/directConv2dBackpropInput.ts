import * as tf from "@tensorflow/tfjs-core";
import type { ConvGeometry } from "../internal/convGeometry";
import { convKernelHelperFor, convKernelModuleFor, splitWithHelper } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/** Below this many multiply-adds the second thread is not worth its hand-off. */
const MIN_SPLIT_MACS = 4e6;

/**
 * Input gradient of a 2-D convolution (NHWC) by the compiled SIMD kernel `conv2dBackpropInput`
 * of `kernels-c/convKernels.c`: each dx pixel gathers over the taps that reach it, so a strided
 * convolution needs no zero-inserted dy (a quarter of the work at stride 2) and the filter is
 * not rotated (it is packed by blocks of 8 input channels, one pass over its few elements).
 *
 * Symbols: dy [B, OH, OW, O], W [KH, KW, C, O], dx [B, H, W, C], strides (s_h, s_w), pt/pl the
 * zero rows/columns added above/left in the forward pass:
 *
 *     dx[b, h, w, c] = sum_{i, j: h + pt - i = p*s_h, w + pl - j = q*s_w, 0 <= p < OH, 0 <= q < OW}
 *                      sum_o dy[b, p, q, o] * W[i, j, c, o].
 *
 * Pixels of one dx row are taken by phase r = w mod s_w (for a tap j, the pixels r + s_w*k of a
 * phase read consecutive dy columns), 4 pixels x 8 channels in registers, as the forward kernel.
 * At stride 1 (one phase) the forward kernel itself runs, on dy with the filter rotated by 180
 * degrees, dx[b, h, w, c] = sum_{i, j, o} dy[b, h + i - (KH-1-pt), w + j - (KW-1-pl), o] *
 * W[KH-1-i, KW-1-j, c, o]: its (j, o) pairs form one contiguous run per tap row.
 * On the threaded build the images are split with the helper thread.
 *
 * Returns undefined when the module cannot run here, for dilations > 1, or C % 8 != 0.
 *
 * @example
 * ```ts
 * const dy = tf.randomNormal<tf.Rank.R4>([2, 5, 5, 16]); // stride 2, "same" on 9x9
 * const w = tf.randomNormal<tf.Rank.R4>([3, 3, 8, 16]);
 * const g = { batch: 2, inHeight: 9, inWidth: 9, outHeight: 5, outWidth: 5, filterHeight: 3,
 *   filterWidth: 3, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1 };
 * const dx = directConv2dBackpropInput(tf.backend(), dy, w, g); // [2, 9, 9, 8], or undefined
 * ```
 */
export function directConv2dBackpropInput(
  backend: unknown,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  g: ConvGeometry,
  split: "auto" | "never" | "always" = "auto",
): tf.Tensor4D | undefined {
  const be = backend as DisposingWasmBackend;
  const [kh, kw, c, o] = filter.shape;
  if (dy.dtype !== "float32" || filter.dtype !== "float32") return undefined;
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1 || c % 8 !== 0) return undefined;
  const m = convKernelModuleFor(be);
  if (!m) return undefined;
  const { batch, inHeight, inWidth, outHeight, outWidth } = g;
  // Stride 1: dx is the forward convolution of dy (zero rows/columns KH-1-pt above, KW-1-pl left)
  // with the rotated filter, whose (j, o) pairs are one contiguous run per tap row (the faster
  // loop). Else the gather by phase. Either way the filter is packed by blocks of 8 input
  // channels (taps reversed for the rotation): packed[c/8][i][j][o][c%8].
  const stride1 = g.strideHeight === 1 && g.strideWidth === 1;
  const packed = be.makeOutput(filter.shape, "float32");
  const out = be.makeOutput([batch, inHeight, inWidth, c], "float32");
  const [dyp, wp, outp] = [heapOffset(be, dy), heapOffset(be, packed), heapOffset(be, out)];
  m.kernels.packFilter(heapOffset(be, filter), wp, kh * kw, c, o, stride1 ? 2 : 1);
  const fn = stride1 ? "conv2d" : "conv2dBackpropInput";
  // images [b0, b1): conv2d's args (x = dy, w = rotated, y = dx, no bias, no ReLU) or the gather's
  const args = (b0: number, b1: number): number[] =>
    stride1
      ? [
          dyp,
          wp,
          outp,
          b0,
          b1,
          outHeight,
          outWidth,
          o,
          inHeight,
          inWidth,
          c,
          kh,
          kw,
          1,
          1,
          kh - 1 - g.padTop,
          kw - 1 - g.padLeft,
          0,
          0,
        ]
      : [
          dyp,
          wp,
          outp,
          b0,
          b1,
          inHeight,
          inWidth,
          c,
          outHeight,
          outWidth,
          o,
          kh,
          kw,
          g.strideHeight,
          g.strideWidth,
          g.padTop,
          g.padLeft,
        ];
  const macs = batch * outHeight * outWidth * kh * kw * c * o;
  const wanted = split === "always" || (split === "auto" && macs >= MIN_SPLIT_MACS);
  const helper = wanted && batch >= 2 ? convKernelHelperFor(m) : undefined;
  try {
    if (!helper) {
      m.kernels[fn](...args(0, batch));
    } else {
      const half = batch >> 1;
      splitWithHelper(m, helper, fn, args(0, half), args(half, batch), 10_000 + macs / 5e4);
    }
  } catch (e) {
    be.disposeData(out.dataId);
    throw e;
  } finally {
    be.disposeData(packed.dataId);
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

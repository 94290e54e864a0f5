import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";
import { convGeometry, cropForConv } from "../internal/convGeometry";
import { zeroInsert } from "../internal/zeroInsert";

/**
 * Input gradient of a depthwise 2-D convolution (NHWC), computed with one forward depthwise
 * convolution.
 *
 * Symbols as in {@link depthwiseConv2dNativeBackpropFilter}: x [B, H, W, C], W [KH, KW, C, M],
 * dy [B, OH, OW, C*M], strides s, dilations d, pt/pl the zeros added above/left. Differentiating
 * the forward op gives
 *
 *     dx[b, h, w, c] = sum_{p, q, i, j, m : p*s_h + i*d_h = h + pt, q*s_w + j*d_w = w + pl} dy[b, p, q, c*M + m] * W[i, j, c, m].
 *
 * Let dyz be dy with s-1 zeros inserted between neighbours, padded with (KH-1)*d_h - pt rows
 * above and H-1+pt-(OH-1)*s_h rows below (negative = crop; same for the width), and
 * Wr[k, l, c*M + m, 0] = W[KH-1-k, KW-1-l, c, m] the rotated filter. A depthwise convolution
 * of dyz by Wr with stride 1 and dilation d gives Z[b, h, w, c*M + m] and dx = sum_m Z.
 *
 * @example
 * ```ts
 * const filter = tf.randomNormal<tf.Rank.R4>([3, 3, 4, 2]); // [KH, KW, C, M]
 * const dy = tf.randomNormal<tf.Rank.R4>([1, 5, 5, 8]); // C*M channels; stride 2, "same": 9x9 -> 5x5
 * const dx = depthwiseConv2dNativeBackpropInput([1, 9, 9, 4], dy, filter, 2, "same"); // [1, 9, 9, 4]
 * ```
 */
export function depthwiseConv2dNativeBackpropInput(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): tf.Tensor4D {
  const g = convGeometry({
    kernelName: "DepthwiseConv2dNativeBackpropInput",
    xShape: inputShape,
    filterShape: filter.shape,
    strides,
    pad,
    dilations,
    dimRoundingMode,
    depthwise: true,
  });
  const [b, h, w, c] = inputShape;
  const m = filter.shape[3];
  return tf.tidy(() => {
    const dyz = zeroInsert(dy, g.strideHeight, g.strideWidth);
    const { x: dyc, pad: dyPad } = cropForConv(
      dyz,
      (g.filterHeight - 1) * g.dilationHeight - g.padTop,
      h - 1 + g.padTop - (g.outHeight - 1) * g.strideHeight - (g.strideHeight - 1),
      (g.filterWidth - 1) * g.dilationWidth - g.padLeft,
      w - 1 + g.padLeft - (g.outWidth - 1) * g.strideWidth - (g.strideWidth - 1),
    );
    const wr = tf.reshape(tf.reverse(filter, [0, 1]), [
      g.filterHeight,
      g.filterWidth,
      c * m,
      1,
    ]) as tf.Tensor4D;
    const z = tf.depthwiseConv2d(dyc, wr, 1, dyPad, "NHWC", [g.dilationHeight, g.dilationWidth]);
    return m === 1 ? z : (tf.sum(tf.reshape(z, [b, h, w, c, m]), 4) as tf.Tensor4D);
  });
}

/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend, which has none: see
 * {@link depthwiseConv2dNativeBackpropInput} for the math.
 *
 * @example
 * ```ts
 * tf.registerKernel(depthwiseConv2dNativeBackpropInputConfig);
 * ```
 */
export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs }) => {
    const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs & { dataFormat?: string };
    if (a.dataFormat != null && a.dataFormat !== "NHWC") {
      throw new Error(
        `DepthwiseConv2dNativeBackpropInput (@sam/backend wasm): dataFormat '${a.dataFormat}' is not ` +
          `supported; only 'NHWC' is. Transpose to NHWC first.`,
      );
    }
    return tf.tidy(() =>
      depthwiseConv2dNativeBackpropInput(
        a.inputShape,
        asTensor(inputs.dy!) as tf.Tensor4D,
        asTensor(inputs.filter!) as tf.Tensor4D,
        a.strides,
        a.pad,
        a.dilations,
        a.dimRoundingMode,
      ),
    );
  },
};

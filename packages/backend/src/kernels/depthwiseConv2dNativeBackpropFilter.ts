import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";
import { convGeometry, padOrCrop } from "../internal/convGeometry";

/**
 * Filter gradient of a depthwise 2-D convolution (NHWC), computed with one forward depthwise
 * convolution.
 *
 * Symbols: x [B, H, W, C], filter [KH, KW, C, M] (M = channel multiplier), dy [B, OH, OW, C*M],
 * strides s, dilations d (one of them 1 per axis), x_pad is x with pt rows above and pl columns
 * left. The forward op is y[b, p, q, c*M + m] = sum_{i, j} x_pad[b, p*s + i*d, q*s + j*d, c] * W[i, j, c, m], so
 *
 *     dW[i, j, c, m] = sum_{b, p, q} x_pad[b, p*s + i*d, q*s + j*d, c] * dy[b, p, q, c*M + m].
 *
 * Fold the batch into the channels: X[0, h, w, b*C + c] = x_pad[b, h, w, c] and
 * F[p, q, b*C + c, m] = dy[b, p, q, c*M + m]. A depthwise convolution of X by F with stride d and
 * dilation s gives Z[0, i, j, (b*C + c)*M + m] = sum_{p, q} X[0, i*d + p*s, j*d + q*s, b*C + c] * F[p, q, b*C + c, m],
 * and dW[i, j, c, m] = sum_b Z[0, i, j, (b*C + c)*M + m]. No multiply is wasted.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal<tf.Rank.R4>([1, 9, 9, 8]); // [B, H, W, C]
 * const dy = tf.randomNormal<tf.Rank.R4>([1, 9, 9, 16]); // C*M = 8*2 channels, "same" keeps 9x9
 * const dW = depthwiseConv2dNativeBackpropFilter(x, dy, [3, 3, 8, 2], 1, "same", 2); // dilation 2
 * ```
 */
export function depthwiseConv2dNativeBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding,
  dilations: number | [number, number] = 1,
  dimRoundingMode?: "floor" | "round" | "ceil",
): tf.Tensor4D {
  const g = convGeometry({
    kernelName: "DepthwiseConv2dNativeBackpropFilter",
    xShape: x.shape,
    filterShape,
    strides,
    pad,
    dilations,
    dimRoundingMode,
    depthwise: true,
  });
  const [b, , , c] = x.shape;
  const m = filterShape[3];
  return tf.tidy(() => {
    const rows = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
    const cols = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
    const xp = padOrCrop(x, g.padTop, rows - g.inHeight - g.padTop, g.padLeft, cols - g.inWidth - g.padLeft);
    const xf = tf.reshape<tf.Rank.R4>(tf.transpose(xp, [1, 2, 0, 3]), [1, rows, cols, b * c]);
    const f = tf.reshape(tf.transpose(tf.reshape(dy, [b, g.outHeight, g.outWidth, c, m]), [1, 2, 0, 3, 4]), [
      g.outHeight,
      g.outWidth,
      b * c,
      m,
    ]);
    const z = tf.depthwiseConv2d(xf, f as tf.Tensor4D, [g.dilationHeight, g.dilationWidth], "valid", "NHWC", [
      g.strideHeight,
      g.strideWidth,
    ]);
    const zb = tf.reshape(z, [g.filterHeight, g.filterWidth, b, c, m]);
    return tf.reshape(b === 1 ? zb : tf.sum(zb, 2), filterShape);
  });
}

/**
 * `DepthwiseConv2dNativeBackpropFilter` for the wasm backend, which has none: see
 * {@link depthwiseConv2dNativeBackpropFilter} for the math.
 *
 * @example
 * ```ts
 * tf.registerKernel(depthwiseConv2dNativeBackpropFilterConfig);
 * ```
 */
export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs }) => {
    const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs & { dataFormat?: string };
    if (a.dataFormat != null && a.dataFormat !== "NHWC") {
      throw new Error(
        `DepthwiseConv2dNativeBackpropFilter (@sam/backend wasm): dataFormat '${a.dataFormat}' is not ` +
          `supported; only 'NHWC' is. Transpose to NHWC first.`,
      );
    }
    return tf.tidy(() =>
      depthwiseConv2dNativeBackpropFilter(
        asTensor(inputs.x!) as tf.Tensor4D,
        asTensor(inputs.dy!) as tf.Tensor4D,
        a.filterShape,
        a.strides,
        a.pad,
        a.dilations,
        a.dimRoundingMode,
      ),
    );
  },
};

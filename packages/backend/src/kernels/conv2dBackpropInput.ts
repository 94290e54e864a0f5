import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";
import { convGeometry, cropForConv } from "../internal/convGeometry";
import { zeroInsert } from "../internal/zeroInsert";
import { directConv2dBackpropInput } from "./directConv2dBackpropInput";

let directEnabled = true;

/**
 * Turns the compiled input-gradient kernel of {@link conv2dBackpropInputConfig} on (default) or
 * off (then the forward-convolution form runs), so that a benchmark can compare both in one
 * process. Internal.
 *
 * @example
 * ```ts
 * setDirectInputGradient(false);
 * ```
 */
export function setDirectInputGradient(enabled: boolean): void {
  directEnabled = enabled;
}

/** {@link directConv2dBackpropInput} for NHWC (else undefined: the caller uses the forward-convolution form). */
function directInputGradient(
  backend: unknown,
  inputs: tf.NamedTensorInfoMap,
  a: tf.Conv2DBackpropInputAttrs,
): tf.Tensor4D | undefined {
  if (!directEnabled || (a.dataFormat ?? "NHWC") !== "NHWC") return undefined;
  const filter = asTensor(inputs.filter!) as tf.Tensor4D;
  const g = convGeometry({
    kernelName: "Conv2DBackpropInput",
    xShape: a.inputShape,
    filterShape: filter.shape,
    strides: a.strides,
    pad: a.pad,
    dimRoundingMode: a.dimRoundingMode,
    depthwise: false,
  });
  return directConv2dBackpropInput(backend, asTensor(inputs.dy!) as tf.Tensor4D, filter, g);
}

/**
 * Input gradient of a 2-D convolution (NHWC), computed with one *forward* convolution.
 *
 * Symbols as in {@link conv2dBackpropFilter}: x [B, H, W, C], W [KH, KW, C, O], dy [B, OH, OW, O],
 * strides (s_h, s_w), pt/pl the zero rows/columns added above/left. Differentiating
 * y[b, p, q, o] = sum_{i, j, c} x_pad[b, p*s_h + i, q*s_w + j, c] * W[i, j, c, o] gives
 *
 *     dx[b, h, w, c] = sum_{p, q, i, j, o : p*s_h + i = h + pt, q*s_w + j = w + pl} dy[b, p, q, o] * W[i, j, c, o].
 *
 * Let dyz be dy with s-1 zeros inserted between neighbours (dyz[b, p*s_h, q*s_w, o] = dy[b, p, q, o],
 * zero elsewhere), padded with KH-1-pt rows above and H-1+pt-(OH-1)*s_h below (negative = crop),
 * and the same along the width (the s-1 trailing zeros of `zeroInsert` count towards the bottom). With the rotated, transposed filter
 * Wr[k, l, o, c] = W[KH-1-k, KW-1-l, c, o], the sum is a forward, stride-1, valid convolution:
 *
 *     dx[b, h, w, c] = sum_{k, l, o} dyz[b, h + k, w + l, o] * Wr[k, l, o, c].
 *
 * Non-overlapping patches (strides = filter size, no padding, H = OH*KH, W = OW*KW: a patch
 * embedding) skip the zeros: dx[b, p*KH + i, q*KW + j, c] = sum_o dy[b, p, q, o] * W[i, j, c, o]
 * is one [B*OH*OW, O] x [O, KH*KW*C] product, reordered to [B, H, W, C].
 *
 * @example
 * ```ts
 * const filter = tf.randomNormal<tf.Rank.R4>([3, 3, 8, 16]); // [KH, KW, C, O]
 * const dy = tf.randomNormal<tf.Rank.R4>([2, 5, 5, 16]); // stride 2, "same": 9x9 -> 5x5
 * const dx = conv2dBackpropInput([2, 9, 9, 8], dy, filter, 2, "same"); // [2, 9, 9, 8]
 * ```
 */
export function conv2dBackpropInput(
  inputShape: [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: "floor" | "round" | "ceil",
  dataFormat: "NHWC" | "NCHW" = "NHWC",
): tf.Tensor4D {
  const g = convGeometry({
    kernelName: "Conv2DBackpropInput",
    xShape: inputShape,
    filterShape: filter.shape,
    strides,
    pad,
    dimRoundingMode,
    dataFormat,
    depthwise: false,
  });
  const {
    batch: b,
    inHeight: h,
    inWidth: wd,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
  } = g;
  const c = inputShape[3];
  if (
    kh > 1 &&
    g.strideHeight === kh &&
    g.strideWidth === kw &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    h === oh * kh &&
    wd === ow * kw
  ) {
    // Non-overlapping patches (a ViT's patch embedding): every x element is in one patch, so
    // dx[b, p*KH + i, q*KW + j, c] = sum_o dy[b, p, q, o] * W[i, j, c, o], one matrix product
    // [B*OH*OW, O] . [O, KH*KW*C] and a reordering, instead of a convolution over a dy with
    // KH*KW - 1 zeros per element.
    return tf.tidy(() => {
      const o = dy.shape[3];
      const patches = tf.matMul(
        tf.reshape(dy, [b * oh * ow, o]),
        tf.reshape(filter, [kh * kw * c, o]),
        false,
        true,
      );
      const blocks = tf.transpose(tf.reshape(patches, [b, oh, ow, kh, kw, c]), [0, 1, 3, 2, 4, 5]);
      return tf.reshape(blocks, [b, h, wd, c]);
    });
  }
  return tf.tidy(() => {
    const dyz = zeroInsert(dy, g.strideHeight, g.strideWidth);
    const { x: dyc, pad: dyPad } = cropForConv(
      dyz,
      g.filterHeight - 1 - g.padTop,
      g.inHeight - 1 + g.padTop - (g.outHeight - 1) * g.strideHeight - (g.strideHeight - 1),
      g.filterWidth - 1 - g.padLeft,
      g.inWidth - 1 + g.padLeft - (g.outWidth - 1) * g.strideWidth - (g.strideWidth - 1),
    );
    const wr = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(dyc, wr, 1, dyPad);
  });
}

/**
 * `Conv2DBackpropInput` for the wasm backend, replacing its slow reference loop: the compiled
 * gather kernel {@link directConv2dBackpropInput} (C % 8 = 0, no dilation), else the
 * forward-convolution form {@link conv2dBackpropInput}. NCHW throws.
 *
 * @example
 * ```ts
 * tf.registerKernel(conv2dBackpropInputConfig);
 * ```
 */
export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    return tf.tidy(
      () =>
        directInputGradient(backend, inputs, a) ??
        conv2dBackpropInput(
          a.inputShape,
          asTensor(inputs.dy!) as tf.Tensor4D,
          asTensor(inputs.filter!) as tf.Tensor4D,
          a.strides,
          a.pad,
          a.dimRoundingMode,
          a.dataFormat,
        ),
    );
  },
};

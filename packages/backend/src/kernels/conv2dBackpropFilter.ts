import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";
import { convGeometry, cropForConv } from "../internal/convGeometry";
import { directFilterGradient } from "./directFilterGradient";
import { im2colFilterGradient } from "./im2colFilterGradient";

/**
 * Filter gradient of a 2-D convolution (NHWC), computed with one *forward* convolution.
 *
 * Symbols: x is the input [B, H, W, C], dy the output gradient [B, OH, OW, O], the filter has
 * shape [KH, KW, C, O], strides (s_h, s_w), x_pad is x with pt zero rows above and pl zero
 * columns left (and enough below/right). The forward convolution is
 *
 *     y[b, p, q, o] = sum_{i, j, c} x_pad[b, p*s_h + i, q*s_w + j, c] * W[i, j, c, o]
 *
 * so the filter gradient is
 *
 *     dW[i, j, c, o] = sum_{b, p, q} x_pad[b, p*s_h + i, q*s_w + j, c] * dy[b, p, q, o].
 *
 * Read with X'[c, h, w, b] = x_pad[b, h, w, c] as input (channels act as the batch) and
 * F'[p, q, b, o] = dy[b, p, q, o] as filter (the batch acts as the input channels), this is a
 * forward convolution with stride 1 and dilation (s_h, s_w):
 *
 *     dW[i, j, c, o] = sum_{p, q, b} X'[c, i + p*s_h, j + q*s_w, b] * F'[p, q, b, o],
 *
 * which runs on XNNPACK (the zero padding is passed to the convolution, not copied). x_pad is cut to exactly (OH-1)*s_h + KH rows and (OW-1)*s_w + KW
 * columns, so the convolution yields [C, KH, KW, O]; one transpose gives [KH, KW, C, O].
 *
 * @example
 * ```ts
 * const x = tf.randomNormal<tf.Rank.R4>([2, 9, 9, 8]); // [B, H, W, C]
 * const dy = tf.randomNormal<tf.Rank.R4>([2, 5, 5, 16]); // stride 2, "same": 9x9 -> 5x5
 * const dW = conv2dBackpropFilter(x, dy, [3, 3, 8, 16], 2, "same"); // [3, 3, 8, 16]
 * ```
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: "floor" | "round" | "ceil",
  dataFormat: "NHWC" | "NCHW" = "NHWC",
): tf.Tensor4D {
  const g = convGeometry({
    kernelName: "Conv2DBackpropFilter",
    xShape: x.shape,
    filterShape,
    strides,
    pad,
    dimRoundingMode,
    dataFormat,
    depthwise: false,
  });
  return tf.tidy(() => {
    const rows = (g.outHeight - 1) * g.strideHeight + g.filterHeight;
    const cols = (g.outWidth - 1) * g.strideWidth + g.filterWidth;
    const { x: xT, pad: xPad } = cropForConv(
      tf.transpose(x, [3, 1, 2, 0]),
      g.padTop,
      rows - g.inHeight - g.padTop,
      g.padLeft,
      cols - g.inWidth - g.padLeft,
    );
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const r = tf.conv2d(xT, dyT, 1, xPad, "NHWC", [g.strideHeight, g.strideWidth]);
    return tf.transpose(r, [1, 2, 0, 3]);
  });
}

let directEnabled = true;

/**
 * Chooses the wasm filter gradient's path: "direct" (the compiled kernel, the default) or
 * "im2col" (its fallback), so that a benchmark can compare both in one process. Internal.
 *
 * @example
 * ```ts
 * setFilterGradientPath("im2col"); // ... time a step ...
 * setFilterGradientPath("direct");
 * ```
 */
export function setFilterGradientPath(path: "direct" | "im2col"): void {
  directEnabled = path === "direct";
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, which has none: the compiled direct kernel
 * ({@link directFilterGradient}, 1.7-2.9x faster than im2col per ResNet-20 layer on one thread), else one GEMM
 * over a gathered copy of x ({@link im2colFilterGradient}), or, where the SIMD loops cannot run,
 * the forward-convolution form {@link conv2dBackpropFilter}. Attributes as tfjs-core's `Conv2DBackpropFilterAttrs`; NCHW throws.
 *
 * @example
 * ```ts
 * tf.registerKernel(conv2dBackpropFilterConfig);
 * ```
 */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: ({ inputs, attrs, backend }) => {
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return tf.tidy(() => {
      const x = asTensor(inputs.x!) as tf.Tensor4D;
      const dy = asTensor(inputs.dy!) as tf.Tensor4D;
      const g = convGeometry({
        kernelName: "Conv2DBackpropFilter",
        xShape: x.shape,
        filterShape: a.filterShape,
        strides: a.strides,
        pad: a.pad,
        dimRoundingMode: a.dimRoundingMode,
        dataFormat: a.dataFormat,
        depthwise: false,
      });
      return (
        (directEnabled ? directFilterGradient(backend, x, dy, g, a.filterShape[3]) : undefined) ??
        im2colFilterGradient(backend, x, dy, g, a.filterShape[3]) ??
        conv2dBackpropFilter(x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat)
      );
    });
  },
};

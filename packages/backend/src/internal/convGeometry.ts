import * as tf from "@tensorflow/tfjs-core";

/** Padding accepted by the convolution kernels (the tfjs-core forms). */
export type ConvPad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;

/** Geometry of one 2-D convolution along both spatial axes, NHWC. */
export interface ConvGeometry {
  /** Batch size B. */
  batch: number;
  /** Input height H and width W. */
  inHeight: number;
  inWidth: number;
  /** Output height OH and width OW. */
  outHeight: number;
  outWidth: number;
  /** Filter height KH and width KW. */
  filterHeight: number;
  filterWidth: number;
  /** Strides s_h, s_w. */
  strideHeight: number;
  strideWidth: number;
  /** Dilations d_h, d_w. */
  dilationHeight: number;
  dilationWidth: number;
  /** Zero padding added above / to the left of the input (pt, pl). */
  padTop: number;
  padLeft: number;
}

/** Options of {@link convGeometry}: the attributes shared by every convolution kernel. */
export interface ConvGeometryOptions {
  kernelName: string;
  xShape: readonly number[];
  filterShape: readonly number[];
  strides: number | readonly number[];
  pad: ConvPad;
  dilations?: number | readonly number[];
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: string;
  depthwise: boolean;
}

function pair(
  value: number | readonly number[] | undefined,
  name: string,
  kernelName: string,
): [number, number] {
  const v = value ?? 1;
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0]!, v[1]!];
  if (!p.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(
      `${kernelName} (@sam/backend wasm): ${name} must be positive integers, got ${JSON.stringify(value)}; ` +
        `pass e.g. ${name}: [1, 1].`,
    );
  }
  return p;
}

/**
 * Validates the attributes of a convolution gradient kernel and computes its geometry with
 * tfjs-core's own `computeConv2DInfo`, so padding and output sizes agree with every backend.
 *
 * Throws a descriptive error (parameter, value, fix) for what the wasm kernels do not handle:
 * NCHW data, rank other than 4, and strides > 1 together with dilations > 1 (as tfjs-core).
 *
 * @example
 * ```ts
 * const g = convGeometry({ kernelName: "Conv2DBackpropFilter", xShape: x.shape, filterShape: [3, 3, 8, 16],
 *   strides: 2, pad: "same", depthwise: false });
 * ```
 */
export function convGeometry(o: ConvGeometryOptions): ConvGeometry {
  if (o.dataFormat != null && o.dataFormat !== "NHWC") {
    throw new Error(
      `${o.kernelName} (@sam/backend wasm): dataFormat '${o.dataFormat}' is not supported; ` +
        `only 'NHWC' is. Transpose the input to NHWC ([batch, height, width, channels]) first.`,
    );
  }
  if (o.xShape.length !== 4 || o.filterShape.length !== 4) {
    throw new Error(
      `${o.kernelName} (@sam/backend wasm): expected rank-4 input and filter, got input shape ` +
        `[${o.xShape}] and filter shape [${o.filterShape}]; reshape to [batch, height, width, channels].`,
    );
  }
  const strides = pair(o.strides, "strides", o.kernelName);
  const dilations = pair(o.dilations, "dilations", o.kernelName);
  if (Math.max(...strides) > 1 && Math.max(...dilations) > 1) {
    throw new Error(
      `${o.kernelName} (@sam/backend wasm): strides [${strides}] and dilations [${dilations}] are both > 1; ` +
        `tfjs-core supports one of them > 1 only. Use strides 1 or dilations 1.`,
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    o.xShape as [number, number, number, number],
    o.filterShape as [number, number, number, number],
    strides,
    dilations,
    o.pad,
    o.dimRoundingMode,
    o.depthwise,
    "channelsLast",
  );
  if (info.outHeight <= 0 || info.outWidth <= 0) {
    throw new Error(
      `${o.kernelName} (@sam/backend wasm): the output would be ${info.outHeight}x${info.outWidth} for input ` +
        `[${o.xShape}], filter [${o.filterShape}], strides [${strides}], dilations [${dilations}], pad ` +
        `${JSON.stringify(o.pad)}; use a smaller filter or dilation, or more padding.`,
    );
  }
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Pads (positive amounts) and crops (negative amounts) the two spatial axes of an NHWC tensor.
 *
 * @example
 * ```ts
 * padOrCrop(x, -1, 2, 0, 1); // drop the first row, add 2 zero rows below, 1 zero column right
 * ```
 */
export function padOrCrop(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  let r = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t0 = Math.max(0, -top);
    const l0 = Math.max(0, -left);
    r = tf.slice(r, [0, t0, l0, 0], [b, h - t0 - Math.max(0, -bottom), w - l0 - Math.max(0, -right), c]);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    r = tf.pad(r, [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
  }
  return r;
}

/**
 * Splits a spatial pad/crop into what `tf.conv2d`'s explicit padding can absorb (the positive
 * parts, no copy) and a crop of the input (the negative parts, one `slice`).
 *
 * @example
 * ```ts
 * const { x: xc, pad } = cropForConv(x, -1, 2, 0, 1);
 * tf.conv2d(xc, w, 1, pad);
 * ```
 */
export function cropForConv(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { x: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } {
  return {
    x: padOrCrop(x, Math.min(top, 0), Math.min(bottom, 0), Math.min(left, 0), Math.min(right, 0)),
    pad: [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ],
  };
}

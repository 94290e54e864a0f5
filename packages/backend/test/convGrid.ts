import * as tf from "@tensorflow/tfjs";

/** One case of the convolution grid: input shape, kernel size, output channels (or multiplier). */
export interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  o: number;
}

/** Input shapes of the grid: batch 1, odd sizes, 1x1, even/asymmetric and 5x5 kernels. */
export const CONV_SHAPES: readonly ConvCase[] = [
  { name: "batch 1, odd 7x9, 3x3", x: [1, 7, 9, 3], k: [3, 3], o: 5 },
  { name: "1x1 kernel", x: [2, 8, 8, 4], k: [1, 1], o: 6 },
  { name: "even asymmetric 2x4 kernel, odd 6x5", x: [3, 6, 5, 2], k: [2, 4], o: 3 },
  { name: "5x5 kernel on 11x10", x: [2, 11, 10, 3], k: [5, 5], o: 2 },
  { name: "8 channels (4-wide gather), odd 7x6", x: [2, 7, 6, 8], k: [3, 3], o: 5 },
];

/** Paddings of the grid: same, valid, explicit (asymmetric) and a number with a rounding mode. */
export const CONV_PADS: readonly {
  name: string;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  round?: "floor" | "round" | "ceil";
}[] = [
  { name: "same", pad: "same" },
  { name: "valid", pad: "valid" },
  {
    name: "explicit [1,2]x[0,1]",
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: "number 1, floor", pad: 1, round: "floor" },
];

/** Strides x dilations of the grid (tfjs-core allows only one of them > 1). */
export const STRIDE_DILATION: readonly { stride: number; dilation: number }[] = [
  { stride: 1, dilation: 1 },
  { stride: 2, dilation: 1 },
  { stride: 1, dilation: 2 },
];

/** Strides 1 and 2 without dilation: the grid of the regular conv2d backprops. */
export const STRIDES_ONLY: readonly { stride: number; dilation: number }[] = [
  { stride: 1, dilation: 1 },
  { stride: 2, dilation: 1 },
];

/** One case of the grid with the shapes it implies, for a kernel test to run. */
export interface ConvGridCase {
  /** Test title: shape, padding, stride, and dilation and multiplier for depthwise cases. */
  readonly title: string;
  readonly x: [number, number, number, number];
  /** `[KH, KW, C, O]`, or `[KH, KW, C, multiplier]` for depthwise. */
  readonly filterShape: [number, number, number, number];
  /** `[B, OH, OW, O]` (`O = C * multiplier` for depthwise). */
  readonly dyShape: [number, number, number, number];
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly round?: "floor" | "round" | "ceil";
  readonly stride: number;
  readonly dilation: number;
}

/**
 * Every combination of {@link CONV_SHAPES}, {@link CONV_PADS} and strides/dilations (and, for
 * depthwise convolutions, channel multipliers 1 and 2), without the geometries whose output
 * is empty (no gradient to check).
 */
export function convGridCases(options: {
  readonly depthwise: boolean;
  readonly strideDilation?: readonly { stride: number; dilation: number }[];
}): ConvGridCase[] {
  const { depthwise } = options;
  const strideDilation = options.strideDilation ?? STRIDE_DILATION;
  const cases: ConvGridCase[] = [];
  for (const s of CONV_SHAPES)
    for (const p of CONV_PADS)
      for (const { stride, dilation } of strideDilation)
        for (const multiplier of depthwise ? [1, 2] : [0]) {
          const filterShape: [number, number, number, number] = [
            s.k[0],
            s.k[1],
            s.x[3],
            depthwise ? multiplier : s.o,
          ];
          const info = tf.backend_util.computeConv2DInfo(
            s.x,
            filterShape,
            stride,
            dilation,
            p.pad,
            p.round,
            depthwise,
          );
          if (info.outHeight <= 0 || info.outWidth <= 0) continue;
          const outChannels = depthwise ? s.x[3] * multiplier : s.o;
          cases.push({
            title:
              `${s.name}, pad ${p.name}, stride ${stride}` +
              (depthwise
                ? `, dilation ${dilation}, multiplier ${multiplier}`
                : dilation > 1
                  ? `, dilation ${dilation}`
                  : ""),
            x: s.x,
            filterShape,
            dyShape: [s.x[0], info.outHeight, info.outWidth, outChannels],
            pad: p.pad,
            ...(p.round ? { round: p.round } : {}),
            stride,
            dilation,
          });
        }
  return cases;
}

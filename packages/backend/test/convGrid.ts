import type * as tf from "@tensorflow/tfjs";

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

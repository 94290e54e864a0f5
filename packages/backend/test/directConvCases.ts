import * as tf from "@tensorflow/tfjs";
import { convGeometry } from "../src/internal/convGeometry";
import { directConv2d } from "../src/kernels/directConv2d";
import { directConv2dBackpropInput } from "../src/kernels/directConv2dBackpropInput";
import { directFilterGradient } from "../src/kernels/directFilterGradient";
import { expectSameOnBackends, expectWasmEquals, runOn, values } from "./compareBackends";

/** Extra shapes with C and O past the 4 x 8 register block: C % 4 and O % 8 remainders, O % 4 != 0. */
export const WIDE_CASES: {
  x: [number, number, number, number];
  filterShape: [number, number, number, number];
}[] = [
  { x: [2, 7, 6, 10], filterShape: [3, 3, 10, 13] }, // 2 blocks of 4 + 2 channels; 8 + 4 + 1 outputs
  { x: [3, 9, 9, 16], filterShape: [3, 3, 16, 16] }, // only 4 x 8 blocks
  { x: [1, 5, 12, 4], filterShape: [2, 3, 4, 12] }, // 8 + 4 outputs, batch 1
];

/** dW of the direct kernel on wasm for x, dy (values seeded 1 and 2) against cpu's Conv2DBackpropFilter. */
export function expectDirectEqualsCpu(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  stride: number,
  pad: "same" | "valid" | number | tf.backend_util.ExplicitPadding,
  round: "floor" | "round" | "ceil" | undefined,
  split: "never" | "always",
): void {
  const g = convGeometry({
    kernelName: "test",
    xShape,
    filterShape,
    strides: stride,
    pad,
    dimRoundingMode: round,
    depthwise: false,
  });
  const dyShape: [number, number, number, number] = [xShape[0], g.outHeight, g.outWidth, filterShape[3]];
  const xv = values(tf.util.sizeFromShape(xShape), 1);
  const dyv = values(tf.util.sizeFromShape(dyShape), 2);
  const ref = runOn(
    "cpu",
    () =>
      tf
        .engine()
        .runKernel(tf.Conv2DBackpropFilter, { x: tf.tensor(xv, xShape), dy: tf.tensor(dyv, dyShape) }, {
          strides: stride,
          pad,
          dataFormat: "NHWC",
          dimRoundingMode: round,
          filterShape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
  ).data;
  expectWasmEquals(
    () =>
      tf.tidy(
        () =>
          directFilterGradient(
            tf.backend(),
            tf.tensor4d(xv, xShape),
            tf.tensor4d(dyv, dyShape),
            g,
            filterShape[3],
            split,
          )!,
      ),
    ref,
  );
}

/**
 * Forward-convolution cases for the direct kernel (O a multiple of 8): the grid's input shapes
 * (batch 1, odd sizes, 1x1, asymmetric 2x4 and 5x5 kernels) with 8 or 16 output channels.
 */
export const DIRECT_CONV_CASES: {
  x: [number, number, number, number];
  filterShape: [number, number, number, number];
}[] = [
  { x: [1, 7, 9, 3], filterShape: [3, 3, 3, 8] },
  { x: [2, 8, 8, 4], filterShape: [1, 1, 4, 16] },
  { x: [3, 6, 5, 2], filterShape: [2, 4, 2, 8] },
  { x: [2, 11, 10, 3], filterShape: [5, 5, 3, 8] },
  { x: [2, 7, 6, 8], filterShape: [3, 3, 8, 16] },
  { x: [2, 9, 13, 16], filterShape: [3, 3, 16, 24] },
];

/**
 * y of the direct forward kernel (bias and ReLU optional) on wasm against cpu's
 * conv2d (+ bias, relu), values seeded 3, 4 and 5.
 */
export function expectDirectConvEqualsCpu(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  stride: number,
  pad: "same" | "valid" | number | tf.backend_util.ExplicitPadding,
  withBias: boolean,
  relu: boolean,
  split: "never" | "always",
): void {
  const g = convGeometry({ kernelName: "test", xShape, filterShape, strides: stride, pad, depthwise: false });
  const xv = values(tf.util.sizeFromShape(xShape), 3);
  const wv = values(tf.util.sizeFromShape(filterShape), 4);
  const bv = values(filterShape[3], 5);
  const ref = runOn("cpu", () =>
    tf.tidy(() => {
      let y: tf.Tensor = tf.conv2d(
        tf.tensor4d(xv, xShape),
        tf.tensor4d(wv, filterShape),
        stride,
        pad as "same",
      );
      if (withBias) y = tf.add(y, tf.tensor1d(bv));
      return relu ? tf.relu(y) : y;
    }),
  ).data;
  expectWasmEquals(
    () =>
      tf.tidy(
        () =>
          directConv2d(
            tf.backend(),
            tf.tensor4d(xv, xShape),
            tf.tensor4d(wv, filterShape),
            g,
            withBias ? tf.tensor1d(bv) : undefined,
            relu,
            split,
          )!,
      ),
    ref,
  );
}

/** Input-gradient cases for the direct kernel (C a multiple of 8): the grid's shapes with 8, 16 or 24 input channels. */
export const DIRECT_INPUT_GRADIENT_CASES: {
  x: [number, number, number, number];
  filterShape: [number, number, number, number];
}[] = [
  { x: [1, 7, 9, 8], filterShape: [3, 3, 8, 5] },
  { x: [2, 8, 8, 16], filterShape: [1, 1, 16, 6] },
  { x: [3, 6, 5, 8], filterShape: [2, 4, 8, 3] },
  { x: [2, 11, 10, 8], filterShape: [5, 5, 8, 2] },
  { x: [2, 9, 13, 24], filterShape: [3, 3, 24, 16] },
];

/**
 * dx of the `Conv2DBackpropInput` kernel on wasm against cpu's (values seeded 7 and 8); with
 * `split`, of {@link directConv2dBackpropInput} called with it instead of the kernel.
 */
export function expectInputGradientEqualsCpu(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: "same" | "valid" | number | tf.backend_util.ExplicitPadding,
  round?: "floor" | "round" | "ceil",
  split?: "never" | "always",
): void {
  const g = convGeometry({
    kernelName: "test",
    xShape,
    filterShape,
    strides,
    pad,
    dimRoundingMode: round,
    depthwise: false,
  });
  const dyShape: [number, number, number, number] = [xShape[0], g.outHeight, g.outWidth, filterShape[3]];
  const dyv = values(tf.util.sizeFromShape(dyShape), 7);
  const wv = values(tf.util.sizeFromShape(filterShape), 8);
  const kernel = () =>
    tf
      .engine()
      .runKernel(
        tf.Conv2DBackpropInput,
        { dy: tf.tensor(dyv, dyShape), filter: tf.tensor(wv, filterShape) },
        {
          strides,
          pad,
          dataFormat: "NHWC",
          dimRoundingMode: round,
          inputShape: xShape,
        } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
  if (!split) {
    expectSameOnBackends(kernel);
    return;
  }
  const direct = () =>
    tf.tidy(
      () =>
        directConv2dBackpropInput(
          tf.backend(),
          tf.tensor4d(dyv, dyShape),
          tf.tensor4d(wv, filterShape),
          g,
          split,
        )!,
    );
  expectWasmEquals(direct, runOn("cpu", kernel).data);
}

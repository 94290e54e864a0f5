import * as tf from "@tensorflow/tfjs";
import { convGeometry } from "../src/internal/convGeometry";
import { directFilterGradient } from "../src/kernels/directFilterGradient";
import { expectWasmEquals, runOn, values } from "./compareBackends";

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

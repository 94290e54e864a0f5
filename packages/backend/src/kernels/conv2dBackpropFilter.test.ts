import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import { conv2dBackpropFilter } from "./conv2dBackpropFilter";

type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;
const shapes = [
  { name: "batch 1, odd 7x9, 3x3", x: [1, 7, 9, 3], k: [3, 3], o: 5 },
  { name: "1x1 kernel", x: [2, 8, 8, 4], k: [1, 1], o: 6 },
  { name: "even asymmetric 2x4 kernel, odd 6x5", x: [3, 6, 5, 2], k: [2, 4], o: 3 },
  { name: "5x5 kernel on 11x10", x: [2, 11, 10, 3], k: [5, 5], o: 4 },
  { name: "8 channels (4-wide gather), odd 7x6", x: [2, 7, 6, 8], k: [3, 3], o: 5 },
] as const;
const pads: { name: string; pad: Pad; round?: "floor" | "round" | "ceil" }[] = [
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

describe("Conv2DBackpropFilter on wasm equals cpu", () => {
  beforeAll(initBackends);
  for (const s of shapes)
    for (const p of pads)
      for (const stride of [1, 2] as const) {
        it(`${s.name}, pad ${p.name}, stride ${stride}`, () => {
          const filterShape = [s.k[0], s.k[1], s.x[3], s.o] as [number, number, number, number];
          const info = tf.backend_util.computeConv2DInfo(
            s.x as [number, number, number, number],
            filterShape,
            stride,
            1,
            p.pad,
            p.round,
          );
          const dyShape = [s.x[0], info.outHeight, info.outWidth, s.o];
          const xv = values(tf.util.sizeFromShape(s.x as unknown as number[]), 1);
          const dyv = values(tf.util.sizeFromShape(dyShape), 2);
          expectSameOnBackends(
            () =>
              tf
                .engine()
                .runKernel(
                  tf.Conv2DBackpropFilter,
                  { x: tf.tensor(xv, s.x as unknown as number[]), dy: tf.tensor(dyv, dyShape) },
                  {
                    strides: stride,
                    pad: p.pad,
                    dataFormat: "NHWC",
                    dimRoundingMode: p.round,
                    filterShape,
                  } as unknown as tf.NamedAttrMap,
                ) as tf.Tensor,
          );
        });
      }

  it("matches tf.grads of conv2d end to end (stride 2, same)", () => {
    const x = values(2 * 9 * 9 * 3, 3);
    const w = values(3 * 3 * 3 * 4, 4);
    expectSameOnBackends(() => {
      const wt = tf.tensor4d(w, [3, 3, 3, 4]);
      return tf.grad((f: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, [2, 9, 9, 3]), f as tf.Tensor4D, 2, "same"))),
      )(wt);
    });
  });

  it("the forward-convolution form (fallback without SIMD) equals cpu", () => {
    const x = values(2 * 9 * 7 * 4, 7);
    const dy = values(2 * 5 * 4 * 6, 8);
    expectSameOnBackends(() =>
      conv2dBackpropFilter(
        tf.tensor4d(x, [2, 9, 7, 4]),
        tf.tensor4d(dy, [2, 5, 4, 6]),
        [3, 3, 4, 6],
        2,
        "same",
      ),
    );
  });

  it("leaks no tensor", () => {
    const x = tf.tensor4d(values(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
    const dy = tf.tensor4d(values(2 * 4 * 4 * 4, 6), [2, 4, 4, 4]);
    expectNoLeak(() => conv2dBackpropFilter(x, dy, [3, 3, 3, 4], 2, "same"));
    expectNoLeak(
      () =>
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x, dy },
            { strides: 2, pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 3, 4] },
          ) as tf.Tensor,
    );
    tf.dispose([x, dy]);
  });

  it("rejects NCHW with a clear error", () => {
    const x = tf.zeros([1, 3, 8, 8]) as tf.Tensor4D;
    const dy = tf.zeros([1, 4, 8, 8]) as tf.Tensor4D;
    expect(() => conv2dBackpropFilter(x, dy, [3, 3, 3, 4], 1, "same", undefined, "NCHW")).toThrow(
      /dataFormat 'NCHW' is not supported.*NHWC/,
    );
    tf.dispose([x, dy]);
  });
});

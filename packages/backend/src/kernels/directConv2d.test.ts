import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import { CONV_PADS } from "../../test/convGrid";
import { DIRECT_CONV_CASES, expectDirectConvEqualsCpu } from "../../test/directConvCases";
import { convGeometry } from "../internal/convGeometry";
import { heapOffset } from "../internal/simdKernels";
import { directConv2d } from "./directConv2d";

describe("directConv2d (compiled wasm SIMD forward convolution) equals cpu, one thread", () => {
  beforeAll(initBackends);

  for (const { x, filterShape } of DIRECT_CONV_CASES)
    for (const { name, pad } of CONV_PADS)
      for (const stride of [1, 2])
        it(`${x.join("x")} * ${filterShape.join("x")}, pad ${name}, stride ${stride}`, () =>
          expectDirectConvEqualsCpu(x, filterShape, stride, pad, false, false, "never"));

  for (const [withBias, relu] of [
    [true, false],
    [false, true],
    [true, true],
  ] as const)
    it(`bias ${withBias}, relu ${relu} (stride 2, same, 9x13x16 -> 24)`, () =>
      expectDirectConvEqualsCpu([2, 9, 13, 16], [3, 3, 16, 24], 2, "same", withBias, relu, "never"));

  it("declines O % 8 != 0 and dilations (the caller falls back to tfjs's kernel)", () => {
    const x = tf.zeros([1, 5, 5, 4]) as tf.Tensor4D;
    const w = tf.zeros([3, 3, 4, 6]) as tf.Tensor4D;
    const g = convGeometry({
      kernelName: "t",
      xShape: x.shape,
      filterShape: w.shape,
      strides: 1,
      pad: "same",
      depthwise: false,
    });
    expect(directConv2d(tf.backend(), x, w, g)).toBeUndefined();
    const w8 = tf.zeros([3, 3, 4, 8]) as tf.Tensor4D;
    const g2 = convGeometry({
      kernelName: "t",
      xShape: x.shape,
      filterShape: w8.shape,
      strides: 1,
      pad: "same",
      dilations: 2,
      depthwise: false,
    });
    expect(directConv2d(tf.backend(), x, w8, g2)).toBeUndefined();
    tf.dispose([x, w, w8]);
  });

  it("the FusedConv2D kernel (bias + relu, and prelu through tfjs's own) equals cpu", () => {
    const xv = values(2 * 8 * 8 * 5, 7);
    const wv = values(3 * 3 * 5 * 16, 8);
    const bv = values(16, 9);
    for (const activation of ["relu", "linear", "prelu", "elu"] as const)
      expectSameOnBackends(() =>
        tf.fused.conv2d({
          x: tf.tensor4d(xv, [2, 8, 8, 5]),
          filter: tf.tensor4d(wv, [3, 3, 5, 16]),
          strides: 1,
          pad: "same",
          bias: tf.tensor1d(bv),
          activation,
          preluActivationWeights: activation === "prelu" ? tf.scalar(0.2) : undefined,
        }),
      );
  });

  it("the Conv2D kernel equals cpu for O = 16 (direct) and O = 6 (tfjs's own)", () => {
    for (const o of [16, 6]) {
      const xv = values(2 * 9 * 9 * 4, 10);
      const wv = values(3 * 3 * 4 * o, 11);
      expectSameOnBackends(() =>
        tf.conv2d(tf.tensor4d(xv, [2, 9, 9, 4]), tf.tensor4d(wv, [3, 3, 4, o]), 2, "same"),
      );
    }
  });

  it("leaks no tensor and no heap bytes", () => {
    const x = tf.tensor4d(values(3 * 8 * 8 * 12, 5), [3, 8, 8, 12]);
    const w = tf.tensor4d(values(3 * 3 * 12 * 16, 6), [3, 3, 12, 16]);
    const b = tf.tensor1d(values(16, 7));
    const g = convGeometry({
      kernelName: "t",
      xShape: x.shape,
      filterShape: w.shape,
      strides: 1,
      pad: "same",
      depthwise: false,
    });
    const probe = () => {
      const t = tf.zeros([3, 8, 8, 16]);
      const at = heapOffset(tf.backend(), t);
      t.dispose();
      return at;
    };
    const before = probe();
    expectNoLeak(() => directConv2d(tf.backend(), x, w, g, b, true)!);
    expectNoLeak(() =>
      tf.fused.conv2d({ x, filter: w, strides: 1, pad: "same", bias: b, activation: "relu" }),
    );
    expect(probe()).toBe(before);
    tf.dispose([x, w, b]);
  });
});

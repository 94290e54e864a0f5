import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, initBackends, values } from "../../test/compareBackends";
import { CONV_PADS } from "../../test/convGrid";
import { DIRECT_INPUT_GRADIENT_CASES, expectInputGradientEqualsCpu } from "../../test/directConvCases";
import { convGeometry } from "../internal/convGeometry";
import { heapOffset } from "../internal/simdKernels";
import { directConv2dBackpropInput } from "./directConv2dBackpropInput";

describe("directConv2dBackpropInput (compiled gather over valid taps) equals cpu, one thread", () => {
  beforeAll(initBackends);

  for (const { x, filterShape } of DIRECT_INPUT_GRADIENT_CASES)
    for (const { name, pad, round } of CONV_PADS)
      for (const stride of [1, 2, 3, [2, 1]] as (number | [number, number])[])
        it(`${x.join("x")} * ${filterShape.join("x")}, pad ${name}, stride ${stride}`, () =>
          expectInputGradientEqualsCpu(x, filterShape, stride, pad, round));

  it("is the path the kernel takes for C % 8 = 0, and declines C % 8 != 0", () => {
    const g = (c: number) =>
      convGeometry({
        kernelName: "t",
        xShape: [2, 6, 6, c],
        filterShape: [3, 3, c, 4],
        strides: 2,
        pad: "same",
        depthwise: false,
      });
    const dy = tf.zeros([2, 3, 3, 4]) as tf.Tensor4D;
    const w8 = tf.zeros([3, 3, 8, 4]) as tf.Tensor4D;
    const w6 = tf.zeros([3, 3, 6, 4]) as tf.Tensor4D;
    const dx = directConv2dBackpropInput(tf.backend(), dy, w8, g(8));
    expect(dx?.shape).toEqual([2, 6, 6, 8]);
    expect(directConv2dBackpropInput(tf.backend(), dy, w6, g(6))).toBeUndefined();
    tf.dispose([dy, w8, w6, dx!]);
  });

  it("leaks no tensor and no heap bytes", () => {
    const dy = tf.tensor4d(values(3 * 4 * 4 * 6, 5), [3, 4, 4, 6]);
    const w = tf.tensor4d(values(3 * 3 * 16 * 6, 6), [3, 3, 16, 6]);
    const g = convGeometry({
      kernelName: "t",
      xShape: [3, 8, 8, 16],
      filterShape: w.shape,
      strides: 2,
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
    expectNoLeak(() => directConv2dBackpropInput(tf.backend(), dy, w, g)!);
    expect(probe()).toBe(before);
    tf.dispose([dy, w]);
  });
});

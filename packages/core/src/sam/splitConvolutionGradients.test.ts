import * as tf from "@tensorflow/tfjs";
import { expectTensorsClose } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { withSplitConvolutionGradients } from "./splitConvolutionGradients";

// The kernel counts, gradients and leaks on a CIFAR ResNet are in
// tools/integration/src/splitConvolutionGradients.test.ts (core has no dependency on @sam/models).
describe("withSplitConvolutionGradients", () => {
  it("matches a Conv2D with bias, ReLU, dilation and channelsFirst, then restores the layer", () => {
    const conv = tf.layers.conv2d({
      filters: 4,
      kernelSize: 3,
      dilationRate: 2,
      padding: "same",
      activation: "relu",
      dataFormat: "channelsFirst",
      biasInitializer: "randomNormal",
      inputShape: [3, 7, 7],
    });
    const net = tf.sequential({ layers: [conv] });
    const input = tf.randomNormal([2, 3, 7, 7], 0, 1, "float32", 2);
    const expected = net.predict(input) as tf.Tensor;
    const got = withSplitConvolutionGradients(net.layers, () => net.predict(input) as tf.Tensor);
    expectTensorsClose(got, expected, { rtol: 1e-5, atol: 1e-6 }, "conv2d output");
    expect(Object.hasOwn(conv, "call")).toBe(false);
  });
});

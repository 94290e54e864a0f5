import * as tf from "@tensorflow/tfjs";
import { collectParams, withSplitConvolutionGradients } from "@sam/core";
import { cifarResNet } from "@sam/models";
import { expectNoLeak, expectTensorsClose } from "@sam/testing";
import { describe, expect, it } from "vitest";

const kernelCount = async (name: string, fn: () => void) =>
  (await tf.profile(fn)).kernels.filter((k) => k.name === name).length;

// @sam/core's withSplitConvolutionGradients on @sam/models' ResNet-8 (here, not in core, so that
// core needs no dev dependency on models); the single-layer case is in core beside the code.
describe("withSplitConvolutionGradients on a CIFAR ResNet", () => {
  const model = cifarResNet({ depth: 8, numClasses: 3, inputShape: [8, 8, 3], seed: 5 });
  const params = collectParams(model);
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 1);
  const y = tf.oneHot(tf.tensor1d([0, 2], "int32"), 3);
  const loss = () =>
    tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: false }) as tf.Tensor) as tf.Scalar;
  const norms = params.params.filter((p) => p.tags.has("norm")).map((p) => p.variable);
  const convolutions = model.layers.filter((l) => l.getClassName() === "Conv2D").length;

  it("skips every filter gradient when only the norm parameters are asked for", async () => {
    expect(convolutions).toBe(9); // ResNet-8: stem, 3 stages x 1 block x 2 convs, 2 shortcuts
    const fused = await kernelCount("Conv2DBackpropFilter", () => {
      tf.variableGrads(loss, norms);
    });
    const split = await kernelCount("Conv2DBackpropFilter", () => {
      withSplitConvolutionGradients(params.layers, () => tf.variableGrads(loss, norms));
    });
    // tf.fused.conv2d's gradient computes dW of every convolution on the path (all but the stem's,
    // whose input is the data): the split layers compute none of them.
    expect(fused).toBe(convolutions - 1);
    expect(split).toBe(0);
  });

  it("gives the same loss and gradients as the fused layers", () => {
    const all = params.variables();
    const reference = tf.variableGrads(loss, all);
    const split = withSplitConvolutionGradients(params.layers, () => tf.variableGrads(loss, all));
    expectTensorsClose(split.value, reference.value, { rtol: 1e-6, atol: 1e-7 }, "loss");
    for (const v of all) expectTensorsClose(split.grads[v.name]!, reference.grads[v.name]!, {}, v.name);
  });

  it("restores the layers' own call when the function throws", () => {
    expect(() =>
      withSplitConvolutionGradients(params.layers, () => {
        throw new Error("loss failed");
      }),
    ).toThrow("loss failed");
    for (const layer of model.layers) expect(Object.hasOwn(layer, "call")).toBe(false);
  });

  it("leaks no tensor", async () => {
    await expectNoLeak(() => {
      const { value, grads } = withSplitConvolutionGradients(params.layers, () =>
        tf.variableGrads(loss, norms),
      );
      value.dispose();
      tf.dispose(grads);
    });
  });
});

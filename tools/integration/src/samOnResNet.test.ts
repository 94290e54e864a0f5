import * as tf from "@tensorflow/tfjs";
import { collectParams, type GroupedOptimizer, sam, samOn, sgd } from "@sam/core";
import { cifarResNet } from "@sam/models";
import { syntheticBatch } from "@sam/testing";
import { describe, expect, it } from "vitest";

// SAM-ON (@sam/core) on @sam/models' CIFAR ResNets: here, not in core, so that core needs no
// dev dependency on models (which depends on core). scripts/testOnBackend.mjs runs this file on
// tensorflow too: the Conv2DBackpropFilter count is a property of each backend's kernels.
const lossOf = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) => () =>
  tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
const hyper = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

describe("SAM-ON on a CIFAR ResNet", () => {
  it("computes no filter gradient in its first pass (half of SAM's Conv2DBackpropFilter kernels)", async () => {
    const model = cifarResNet({ depth: 8, numClasses: 3, inputShape: [8, 8, 3], seed: 4 });
    const { x, y } = syntheticBatch(4, [8, 8, 3], 3);
    const convolutions = model.layers.filter((l) => l.getClassName() === "Conv2D").length;
    const filterGradients = async (optimizer: GroupedOptimizer) => {
      optimizer.minimize(lossOf(model, x, y)); // warm-up
      const info = await tf.profile(() => {
        optimizer.minimize(lossOf(model, x, y));
      });
      return info.kernels.filter((k) => k.name === "Conv2DBackpropFilter").length;
    };
    const params = () => collectParams(model);
    // SAM: dW of every convolution in both passes. SAM-ON: pass 2 only.
    expect(await filterGradients(sam({ params: params(), rule: sgd(), defaults: hyper, rho: 0.05 }))).toBe(
      2 * convolutions,
    );
    expect(await filterGradients(samOn({ params: params(), rule: sgd(), defaults: hyper, rho: 0.5 }))).toBe(
      convolutions,
    );
    for (const layer of model.layers) expect(Object.hasOwn(layer, "call")).toBe(false);
  });

  it("trains a ResNet-20 under model.fit with metrics and leaks nothing", async () => {
    const model = cifarResNet({ depth: 20, numClasses: 3, inputShape: [8, 8, 3], seed: 3 });
    model.compile({
      optimizer: samOn({ params: collectParams(model), rule: sgd(), defaults: hyper, rho: 0.5 }),
      loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p),
      metrics: ["accuracy"],
    });
    const { x, y } = syntheticBatch(8, [8, 8, 3], 3);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const tensors = tf.memory().numTensors;
    const history = await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(history.history.acc ?? history.history.accuracy).toHaveLength(2);
    expect((history.history.loss as number[]).every(Number.isFinite)).toBe(true);
  });
});

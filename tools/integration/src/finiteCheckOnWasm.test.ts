import * as tf from "@tensorflow/tfjs";
import { ALL_FINITE, setupBackend } from "@sam/backend";
import { ALL_FINITE_KERNEL, collectParams, GroupedOptimizer, NonFiniteStepError, sgd } from "@sam/core";
import { mlp } from "@sam/models";
import { expectNoLeak } from "@sam/testing";
import { beforeAll, describe, expect, it } from "vitest";

// @sam/core's GroupedOptimizer ends each step with one SamAllFinite call where @sam/backend
// registered it (wasm): here, where both packages are, since neither depends on the other.
describe("the finite check of a GroupedOptimizer step on wasm", () => {
  let previous = "";
  beforeAll(async () => {
    await tf.ready();
    previous = tf.getBackend();
    await setupBackend({ prefer: "wasm" });
    return () => tf.setBackend(previous);
  });
  const model = mlp({ inputDim: 6, widths: [8], outputDim: 3, seed: 2 });
  const x = tf.randomNormal([4, 6], 0, 1, "float32", 1);
  const y = tf.oneHot(tf.tensor1d([0, 2, 1, 0], "int32"), 3);
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const optimizer = () =>
    new GroupedOptimizer({ params: collectParams(model), defaults: { lr: 0.1, momentum: 0.9 }, rule: sgd() });

  it("uses @sam/backend's kernel, named as @sam/core looks for it", () => {
    expect(tf.getBackend()).toBe("wasm");
    expect(ALL_FINITE).toBe(ALL_FINITE_KERNEL);
    expect(tf.getKernel(ALL_FINITE_KERNEL, "wasm")).toBeDefined();
  });

  it("is one SamAllFinite kernel a step, with no IsFinite", async () => {
    const opt = optimizer();
    opt.minimize(loss); // warm-up: slots
    const names = (
      await tf.profile(() => {
        opt.minimize(loss);
      })
    ).kernelNames;
    expect(names.filter((n) => n === ALL_FINITE_KERNEL)).toHaveLength(1);
    expect(names).not.toContain("IsFinite");
    opt.dispose();
  });

  it("rejects a step whose update is NaN and leaves the weights as they were", () => {
    const opt = optimizer();
    const before = model.getWeights().map((w) => w.dataSync().slice());
    opt.minimize(loss);
    const after = model.getWeights().map((w) => w.dataSync().slice());
    const nanLoss = () => tf.mul(loss(), Number.NaN) as tf.Scalar;
    expect(() => opt.minimize(nanLoss)).toThrow(NonFiniteStepError);
    expect(model.getWeights().map((w) => w.dataSync().slice())).toEqual(after);
    expect(after).not.toEqual(before);
    opt.dispose();
  });

  it("leaks no tensor", async () => {
    const opt = optimizer();
    await expectNoLeak(() => {
      opt.minimize(loss);
    });
    opt.dispose();
  });
});

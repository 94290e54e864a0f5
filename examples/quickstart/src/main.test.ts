import * as tf from "@tensorflow/tfjs";
import { collectParams, GroupedOptimizer, sam, sgd } from "@sam/core";
import { describe, expect, it } from "vitest";
import { makeData, makeModel } from "./problem";

// The demo in a reduced form (fewer steps), so it cannot rot.
describe("quickstart demo", () => {
  it("SGD and SAM both learn the moons (accuracy > 80% after 150 steps)", () => {
    const { x, y } = makeData(128, 7);
    for (const build of [
      (m: tf.Sequential) => new GroupedOptimizer({ params: collectParams(m), defaults: { lr: 0.1, momentum: 0.9 }, rule: sgd() }),
      (m: tf.Sequential) => sam({ params: collectParams(m), defaults: { lr: 0.1, momentum: 0.9 }, rule: sgd(), rho: 0.05 }),
    ]) {
      const model = makeModel(1);
      const optimizer = build(model);
      const lossFn = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      for (let i = 0; i < 150; i++) optimizer.minimize(lossFn);
      const accuracy = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(y, 1)), "float32")).dataSync()[0]!);
      expect(accuracy).toBeGreaterThan(0.8);
    }
  });
});

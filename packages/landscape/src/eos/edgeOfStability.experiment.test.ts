/**
 * Spec section C.6 / G: a tanh MLP trained by full-batch GD sharpens progressively until its
 * top Hessian eigenvalue reaches 2/lr, then hovers there (Cohen et al. 2021).
 * Setup as in the spec: d = 20 -> 64 tanh -> 4, MSE (1/2 ||f - y||^2 averaged), n = 200
 * Gaussian inputs, random one-hot labels, PyTorch-style uniform init, lr = 0.4 (2/lr = 5).
 */
import { createRng, fromVariables } from "@sam/core";
import { expectNoLeak } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { edgeOfStabilityThreshold } from "./edgeOfStabilityThreshold";
import { EdgeOfStabilityTracker } from "./edgeOfStabilityTracker";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function tanhMlp(seed: number) {
  const rng = createRng(seed);
  const n = 200;
  const d = 20;
  const h = 64;
  const k = 4;
  const x = tf.tensor2d(
    Array.from({ length: n * d }, () => rng.normal()),
    [n, d],
  );
  const labels = tf.tensor1d(
    Array.from({ length: n }, () => Math.floor(rng.uniform() * k)),
    "int32",
  );
  const y = tf.cast(tf.oneHot(labels, k), "float32");
  labels.dispose();
  const u = (fan: number, size: number) =>
    Array.from({ length: size }, () => (2 * rng.uniform() - 1) / Math.sqrt(fan));
  const w1 = tf.variable(tf.tensor2d(u(d, d * h), [d, h]));
  const b1 = tf.variable(tf.tensor1d(u(d, h)));
  const w2 = tf.variable(tf.tensor2d(u(h, h * k), [h, k]));
  const b2 = tf.variable(tf.tensor1d(u(h, k)));
  const params = fromVariables({ "fc1/kernel": w1, "fc1/bias": b1, "head/kernel": w2, "head/bias": b2 });
  const loss = () =>
    tf.tidy(() => {
      const f = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2), b2);
      return tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(f, y)), -1))) as tf.Scalar;
    });
  return { params, loss, dispose: () => tf.dispose([x, y, w1, b1, w2, b2]) };
}

describe("edge of stability (experiment)", () => {
  it("a tanh MLP's top eigenvalue rises to 2/lr and stays within 5% of it", async () => {
    const lr = 0.4;
    const net = tanhMlp(1);
    const optimizer = tf.train.sgd(lr);
    const tracker = new EdgeOfStabilityTracker({ params: net.params, lossFn: net.loss, lr, every: 100 });
    for (let t = 0; t <= 1000; t++) {
      await tracker.step(t);
      optimizer.minimize(net.loss, false, net.params.variables());
    }
    const h = tracker.history;
    expect(h[0]!.threshold).toBe(5);
    expect(h[0]!.lambdaMax).toBeLessThan(0.7 * 5); // starts well below 2/lr: progressive sharpening
    for (const r of h.filter((r) => r.step >= 800)) {
      expect(Math.abs(r.ratio - 1), `lambda_max ${r.lambdaMax} at step ${r.step}`).toBeLessThan(0.05);
    }
    expect(h.at(-1)!.loss).toBeLessThan(0.1 * h[0]!.loss); // the loss keeps falling on the edge
    expect(JSON.parse(JSON.stringify(tracker.toJSON())).history).toHaveLength(11);
    optimizer.dispose();
    net.dispose();
  });

  it("works as a model.fit callback, counts batches as steps, and leaks no tensor", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [3], activation: "tanh", name: "fc1" }),
        tf.layers.dense({ units: 2, name: "head" }),
      ],
    });
    const x = tf.randomNormal([16, 3], 0, 1, "float32", 3);
    const y = tf.randomNormal([16, 2], 0, 1, "float32", 4);
    const { collectParams } = await import("@sam/core");
    const { modelLoss } = await import("../evaluation/modelLoss");
    const tracker = new EdgeOfStabilityTracker({
      params: collectParams(model),
      lossFn: modelLoss(model, x, y, "halfSquaredError"),
      lr: (step) => (step < 4 ? 0.1 : 0.05),
      every: 2,
      momentum: 0.9,
      maxIter: 5,
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    await model.fit(x, y, { batchSize: 8, epochs: 3, verbose: 0, callbacks: [tracker.callback()] });
    expect(tracker.history.map((r) => r.step)).toEqual([0, 2, 4, 6]);
    expect(tracker.history[0]!.threshold).toBeCloseTo(edgeOfStabilityThreshold(0.1, { momentum: 0.9 }), 10);
    expect(tracker.history[2]!.threshold).toBeCloseTo(3.8 / 0.05, 10);
    await expectNoLeak(() => tracker.measure(99), { label: "EdgeOfStabilityTracker.measure" });
    tf.dispose([x, y]);
    model.dispose();
  });
});

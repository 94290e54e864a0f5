import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, syntheticBatch, tinyBatchNorm } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { NonFiniteLossError } from "../internal/errors";
import { collectParams } from "../params/collectParams";
import { fromVariables } from "../params/fromVariables";
import { adam } from "../rules/adam";
import { everyK } from "../rules/everyK";
import { sgd } from "../rules/sgd";
import { samOracle } from "../sam/samOracle";
import { GroupedOptimizer, NO_SYNC_READ_BACKENDS } from "./groupedOptimizer";
import { NonFiniteStepError } from "./nonFiniteStepError";

/** Every value a rejected step must leave alone: weights, BatchNorm statistics, optimizer slots, step. */
async function stateOf(model: tf.LayersModel, optimizer: GroupedOptimizer) {
  const weights = model.weights.map((w) => ({
    name: w.originalName,
    values: Array.from(w.read().dataSync()),
  }));
  const slots = (await optimizer.getWeights()).map((w) => ({
    name: w.name,
    values: Array.from(w.tensor.dataSync()),
  }));
  return { weights, slots, step: optimizer.step };
}

/** A batch with one NaN in x: its loss, and through BatchNorm its moving statistics, are NaN. */
function poisoned(n = 8) {
  const { x, y } = syntheticBatch(n, [4], 3);
  const values = x.arraySync() as number[][];
  values[2]![1] = Number.NaN;
  const bad = tf.tensor2d(values);
  x.dispose();
  return { x: bad, y };
}

const lossOf = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) => () =>
  tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;

describe("a step whose loss or update is not finite", () => {
  for (const [name, make] of [
    ["adam (plain gradient)", () => ({ rule: adam(), oracle: undefined })],
    ["everyK(2, sgd momentum)", () => ({ rule: everyK(2, sgd({ momentum: 0.9 })), oracle: undefined })],
    ["sgd momentum under SAM", () => ({ rule: sgd({ momentum: 0.9 }), oracle: samOracle({ rho: 0.05 }) })],
  ] as const) {
    it(`${name}: custom loop, restores weights, slots and BatchNorm statistics and throws`, async () => {
      const model = tinyBatchNorm(3);
      const { rule, oracle } = make();
      const optimizer = new GroupedOptimizer({
        params: collectParams(model),
        defaults: { lr: 0.05 },
        rule,
        ...(oracle ? { oracle } : {}),
      });
      const good = syntheticBatch(8, [4], 3);
      for (let i = 0; i < 3; i++) optimizer.minimize(lossOf(model, good.x, good.y));
      const before = await stateOf(model, optimizer);
      const bad = poisoned();
      expect(() => optimizer.minimize(lossOf(model, bad.x, bad.y))).toThrow(NonFiniteStepError);
      expect(() => optimizer.minimize(lossOf(model, bad.x, bad.y))).toThrow(
        /Step 3 was rejected: the loss \(NaN\) is not finite/,
      );
      expect(await stateOf(model, optimizer)).toEqual(before);
      // and training goes on from there (the next step is step 3), without leaking
      optimizer.minimize(lossOf(model, good.x, good.y));
      expect(optimizer.step).toBe(4);
      await expectNoLeak(() => optimizer.minimize(lossOf(model, good.x, good.y)));
      optimizer.dispose();
      tf.dispose([good.x, good.y, bad.x, bad.y]);
      model.dispose();
    });
  }

  it("under model.fit: one NaN in x leaves weights, slots and moving statistics as they were; predict stays finite", async () => {
    const model = tinyBatchNorm(3);
    const optimizer = new GroupedOptimizer({
      params: collectParams(model),
      defaults: { lr: 0.05 },
      rule: adam(),
    });
    model.compile({ optimizer, loss: "categoricalCrossentropy" });
    const good = syntheticBatch(8, [4], 3);
    await model.fit(good.x, good.y, { epochs: 2, batchSize: 8, verbose: 0 });
    const before = await stateOf(model, optimizer);
    const bad = poisoned();
    await expect(model.fit(bad.x, bad.y, { epochs: 1, batchSize: 8, verbose: 0 })).rejects.toThrow(
      NonFiniteLossError,
    );
    expect(await stateOf(model, optimizer)).toEqual(before);
    const prediction = model.predict(good.x) as tf.Tensor;
    expect(Array.from(prediction.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([prediction, good.x, good.y, bad.x, bad.y]);
    optimizer.dispose();
    model.dispose();
  });

  it("with skipNonFinite: skips the step (not counted), counts it, and changes nothing; also under model.fit", async () => {
    const model = tinyBatchNorm(6);
    const optimizer = new GroupedOptimizer({
      params: collectParams(model),
      defaults: { lr: 0.05 },
      rule: adam(),
      skipNonFinite: true,
    });
    model.compile({ optimizer, loss: "categoricalCrossentropy" });
    const good = syntheticBatch(8, [4], 3);
    await model.fit(good.x, good.y, { epochs: 1, batchSize: 8, verbose: 0 });
    const before = await stateOf(model, optimizer);
    const bad = poisoned();
    optimizer.minimize(lossOf(model, bad.x, bad.y)); // custom loop
    await model.fit(bad.x, bad.y, { epochs: 1, batchSize: 8, verbose: 0 }); // model.fit
    expect(optimizer.skippedSteps).toBe(2);
    expect(await stateOf(model, optimizer)).toEqual(before);
    expect(GroupedOptimizer.load(optimizer.getConfig(), collectParams(model)).skipNonFinite).toBe(true);
    tf.dispose([good.x, good.y, bad.x, bad.y]);
    optimizer.dispose();
    model.dispose();
  });

  it("a finite loss with an overflowing update (plain optimizer): restores and names the update", () => {
    // L = 0.5 w^2 at w = 1e20: the loss 5e39 overflows float32 too; use L = w, g = 1, lr 1e39 -> w = -inf
    const w = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { lr: 3e38 },
      rule: sgd(),
    });
    const loss = () => tf.sum(tf.mul(w, tf.tensor1d([1e3, 1]))) as tf.Scalar;
    expect(() => optimizer.minimize(loss)).toThrow(/Step 0 was rejected: the update is not finite/);
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    expect(optimizer.step).toBe(0);
    optimizer.dispose();
    w.dispose();
  });
  it("checkFinite: false makes no read: the overflow goes through (what webgpu gets by default), and the option round-trips", () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { lr: 3e38 },
      rule: sgd(),
      checkFinite: false,
    });
    const loss = () => tf.sum(tf.mul(w, tf.tensor1d([1e3, 1]))) as tf.Scalar;
    optimizer.minimize(loss);
    expect(Number.isFinite(w.dataSync()[0]!)).toBe(false);
    expect(optimizer.step).toBe(1);
    expect(optimizer.getConfig()).toMatchObject({ checkFinite: false });
    expect(NO_SYNC_READ_BACKENDS.has("webgpu")).toBe(true);
    expect(NO_SYNC_READ_BACKENDS.has(tf.getBackend())).toBe(false);
    optimizer.dispose();
    w.dispose();
  });
});

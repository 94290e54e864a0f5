import { collectParams } from "@sam/core";
import { expectNoLeak, syntheticBatch, tinyBatchNorm } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { interpolate } from "../interpolation/interpolate";
import { captureState, captureStateAsync } from "../paramState";
import { slice1d } from "../slices/slice1d";
import { modelEvaluator } from "./modelEvaluator";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("modelEvaluator({ asyncRead: true }) and captureStateAsync (webgpu has no synchronous reads)", () => {
  it("captureStateAsync equals captureState, weights and BatchNorm statistics, without dataSync", async () => {
    const model = tinyBatchNorm(3);
    const params = collectParams(model);
    const { x, y } = syntheticBatch(8, [4], 3);
    model.compile({ optimizer: tf.train.sgd(0.5), loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 }); // moves the statistics off 0/1
    const sync = captureState(params);
    const dataSync = vi.spyOn(tf.Tensor.prototype, "dataSync");
    const viaAsync = await captureStateAsync(params);
    expect(dataSync).not.toHaveBeenCalled();
    dataSync.mockRestore();
    expect(viaAsync).toEqual(sync);
    expect(Object.keys(viaAsync.stats).length).toBeGreaterThan(0);
    expect(Object.keys((await captureStateAsync(params, { stats: false })).stats)).toEqual([]);
  });

  it("gives the synchronous evaluator's loss and accuracy, batched or not, without dataSync", async () => {
    const model = tinyBatchNorm(3);
    const { x, y } = syntheticBatch(10, [4], 3);
    const sync = modelEvaluator({ model, x, y, batchSize: 4 })();
    const dataSync = vi.spyOn(tf.Tensor.prototype, "dataSync");
    const evaluate = modelEvaluator({ model, x, y, batchSize: 4, asyncRead: true });
    expect(evaluate.asyncRead).toBe(true);
    const got = await evaluate();
    expect(dataSync).not.toHaveBeenCalled();
    dataSync.mockRestore();
    // Example-weighted means over the batches 4 + 4 + 2: the same arithmetic, so the same doubles.
    expect(got).toEqual(sync);
    const whole = modelEvaluator({ model, x, y })();
    expect(got.loss).toBeCloseTo(whole.loss, 6);
    expect(got.accuracy).toBeCloseTo(whole.accuracy!, 12);
    await expectNoLeak(() => evaluate(), { label: "async modelEvaluator" });
  });

  it("interpolate and slice1d await it and reproduce the synchronous curves, reading nothing synchronously", async () => {
    const model = tinyBatchNorm(3);
    const params = collectParams(model);
    const { x, y } = syntheticBatch(8, [4], 3);
    const from = captureState(params);
    model.compile({ optimizer: tf.train.sgd(0.5), loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const to = captureState(params);
    const alphas = [0, 0.5, 1];
    const sync = await interpolate({ params, from, to, alphas, evaluate: modelEvaluator({ model, x, y }) });
    const dataSync = vi.spyOn(tf.Tensor.prototype, "dataSync");
    const viaAsync = await interpolate({
      params,
      from,
      to,
      alphas,
      bnStats: "interpolate",
      evaluate: modelEvaluator({ model, x, y, asyncRead: true }),
    });
    const syncReads = dataSync.mock.calls.length;
    dataSync.mockRestore();
    expect(syncReads).toBe(0);
    expect(viaAsync.curves.map((c) => c.loss)).toEqual(sync.curves.map((c) => c.loss));
    expect(viaAsync.curves[0]!.loss[0]).not.toBeCloseTo(viaAsync.curves[0]!.loss[2]!, 3); // training moved it
    const direction = Object.fromEntries(
      params.params.map((p) => [
        p.path,
        { values: new Float32Array(p.size).fill(0.01), shape: [...p.shape] },
      ]),
    );
    const s1 = await slice1d({
      params,
      direction,
      alphas: [-1, 0, 1],
      evaluate: modelEvaluator({ model, x, y }),
    });
    const s2 = await slice1d({
      params,
      direction,
      alphas: [-1, 0, 1],
      evaluate: modelEvaluator({ model, x, y, asyncRead: true }),
    });
    expect(s2.loss).toEqual(s1.loss);
  });
});

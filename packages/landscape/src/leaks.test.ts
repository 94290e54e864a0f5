/**
 * Leak checks of the public entry points not covered beside their own tests: tensors alive
 * (`tf.memory().numTensors`) must not change from the second call on.
 */
import { collectParams, fromVariables, hasTag } from "@sam/core";
import { expectNoLeak, syntheticBatch, tinyBatchNorm } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  applyState,
  captureState,
  EdgeOfStabilityTracker,
  groupHessianSummary,
  lossEvaluator,
  modelEvaluator,
  modelLoss,
  normalizeDirection,
  randomDirection,
  recomputeBatchNormStats,
  stateFromValues,
  trajectoryDirections,
} from "./index";

beforeAll(async () => {
  await tf.setBackend(process.env.SAM_BACKEND ?? "cpu"); // pnpm test:tensorflow: the chosen backend
});

describe("no tensor leaks in the remaining entry points", () => {
  it("states, evaluators, BatchNorm recompute, directions, the tracker and the group summary", async () => {
    const model = tinyBatchNorm(2);
    const params = collectParams(model);
    const { x, y } = syntheticBatch(8, [4], 3);
    const state = captureState(params);
    await expectNoLeak(() => captureState(params), { label: "captureState" });
    await expectNoLeak(() => applyState(params, state), { label: "applyState" });
    const z = tf.zeros([2]);
    await expectNoLeak(() => stateFromValues({ w: z }), { label: "stateFromValues" });
    const evaluate = modelEvaluator({ model, x, y, batchSize: 3 });
    const e = evaluate();
    expect(e.accuracy).toBeGreaterThanOrEqual(0);
    await expectNoLeak(evaluate, { label: "modelEvaluator" });
    const lossFn = modelLoss(model, x, y);
    await expectNoLeak(lossEvaluator(lossFn), { label: "lossEvaluator" });
    await expectNoLeak(lossFn, { label: "modelLoss" });
    expect(recomputeBatchNormStats(model, [x, x])).toBe(1);
    await expectNoLeak(() => recomputeBatchNormStats(model, x), { label: "recomputeBatchNormStats" });
    await expectNoLeak(() => randomDirection(params), { label: "randomDirection" });
    const d = randomDirection(params, { normalization: "none" });
    await expectNoLeak(() => normalizeDirection(params, d), { label: "normalizeDirection" });
    const shifted = (a: number, b: number) =>
      stateFromValues(
        Object.fromEntries(
          Object.entries(state.params).map(([k, v]) => [
            k,
            { shape: v.shape, values: v.values.map((t, n) => t * a + b * Math.sin(n)) },
          ]),
        ),
      );
    const checkpoints = [shifted(1.2, 0), shifted(1.1, 0.05), state];
    await expectNoLeak(() => trajectoryDirections(params, checkpoints), { label: "trajectoryDirections" });
    const tracker = new EdgeOfStabilityTracker({ params, lossFn, lr: 0.1, every: 1, maxIter: 3 });
    await expectNoLeak(() => tracker.step(1), { label: "EdgeOfStabilityTracker.step" });
    const rows = await groupHessianSummary({
      params,
      lossFn,
      groups: [
        { label: "norm", select: hasTag("norm") },
        { label: "rest", select: { all: true } },
      ],
      k: 2,
      traceProbes: 3,
    });
    expect(rows.map((r) => r.label)).toEqual(["norm", "rest"]);
    expect(rows[0]!.size).toBe(12);
    await expectNoLeak(() => groupHessianSummary({ params, lossFn, traceProbes: 2, steps: 3 }), {
      label: "groupHessianSummary",
    });
    await expect(
      groupHessianSummary({ params, lossFn, groups: [{ label: "emb", select: { path: "emb/*" } }] }),
    ).rejects.toThrow(/Group "emb" selects no parameter/);
    tf.dispose([x, y, z]);
    model.dispose();
  });

  it("the per-group Hessian summary of a diagonal quadratic is exact", async () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3]));
    const params = fromVariables({ a, b });
    const lossFn = () =>
      tf.add(tf.sum(tf.mul([1.5, 0.5], tf.square(a))), tf.mul(2, tf.sum(tf.square(b)))) as tf.Scalar; // H = diag(3, 1, 4)
    const rows = await groupHessianSummary({
      params,
      lossFn,
      groups: [
        { label: "a", select: { path: "a" } },
        { label: "b", select: { path: "b" } },
      ],
      k: 2,
      traceProbes: 2,
    });
    expect(rows[0]!.topEigenvalues[0]).toBeCloseTo(3, 3);
    expect(rows[0]!.topEigenvalues[1]).toBeCloseTo(1, 3);
    expect(rows[0]!.trace).toBeCloseTo(4, 3);
    expect(rows[1]!.topEigenvalues).toHaveLength(1);
    expect(rows[1]!.topEigenvalues[0]).toBeCloseTo(4, 3);
    tf.dispose([a, b]);
  });
});

import { collectParams, fromVariables } from "@sam/core";
import { expectNoLeak, expectTensorsEqual, syntheticBatch, tinyBatchNorm } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { modelEvaluator } from "../evaluation/modelEvaluator";
import { matrixWithSpectrum, quadraticProblem } from "../internal/testing/quadraticProblem";
import { captureState, stateFromJSON, stateFromValues, stateToJSON } from "../paramState";
import { alphaGrid } from "./alphaGrid";
import { interpolate } from "./interpolate";
import { interpolationMetrics } from "./interpolationMetrics";

beforeAll(async () => {
  await tf.setBackend(process.env.SAM_BACKEND ?? "cpu"); // pnpm test:tensorflow: the chosen backend
});

describe("interpolationMetrics", () => {
  it("double well (x^2 - 1)^2 from -1.2 to 1 on 51 points matches the spec's numbers", () => {
    const alphas = alphaGrid(0, 1, 51);
    const losses = alphas.map((a) => {
      const x = -1.2 + 2.2 * a;
      return (x * x - 1) ** 2;
    });
    const m = interpolationMetrics(alphas, losses);
    expect(losses[0]).toBeCloseTo(0.1936, 4);
    expect(m.monotone).toBe(false);
    expect(m.barrierVsChord).toBeCloseTo(0.9128, 3);
    expect(m.barrierVsStart).toBeCloseTo(0.8064, 3);
    expect(m.maxRise).toBeCloseTo(0.998, 3);
  });

  it("plateau fraction counts points within delta of ln C; a monotone curve has no rise", () => {
    const alphas = alphaGrid(0, 1, 11);
    const losses = alphas.map((a) => (a < 0.85 ? Math.log(10) : 0.3));
    const m = interpolationMetrics(alphas, losses, { classes: 10 });
    expect(m.plateauFraction).toBeCloseTo(9 / 11, 10);
    expect(m.monotone).toBe(true);
    expect(m.maxRise).toBe(0);
    expect(m.alphaHalf).toBeCloseTo(0.9, 10);
  });
});

describe("interpolate", () => {
  it("on a quadratic from theta_0 to the minimiser gives the exact parabola, also extrapolated", async () => {
    const A = matrixWithSpectrum([4, 2, 1, 0.5], 3);
    const q = quadraticProblem(A, 0.8);
    const from = captureState(q.params);
    // The minimiser c: the same problem built at offset 0 starts there.
    const q0 = quadraticProblem(A, 0);
    const to = stateFromValues({ a: q0.a, b: q0.b });
    const l0 = q.loss().dataSync()[0]!;
    const res = await interpolate({
      params: q.params,
      from,
      to,
      evaluate: q.loss,
      alphas: alphaGrid(-0.5, 1.5, 9),
    });
    const curve = res.curves[0]!;
    expect(curve.label).toBe("all");
    res.alphas.forEach((a, i) => expect(curve.loss[i]).toBeCloseTo((1 - a) ** 2 * l0, 4));
    expect(curve.loss[res.alphas.indexOf(1.5)]).toBeCloseTo(l0 / 4, 5);
    expect(curve.loss[res.alphas.indexOf(0.5)]).toBeCloseTo(l0 / 4, 5);
    expect(curve.metrics.monotone).toBe(true);
    expect(curve.metrics.maxRise).toBe(0);
    expect(curve.metrics.barrierVsChord!).toBeLessThanOrEqual(1e-6);
    // weights restored
    expect(q.loss().dataSync()[0]).toBe(l0);
    q.dispose();
    q0.dispose();
  });

  it("a single-group curve over everything equals the whole curve; a group with equal endpoints is flat", async () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([-1]));
    const params = fromVariables({ a, b });
    const loss = () => tf.add(tf.sum(tf.square(tf.sub(a, 3))), tf.mul(tf.sum(b), tf.sum(a))) as tf.Scalar;
    const from = captureState(params);
    const to = stateFromValues({ a: tf.tensor1d([3, 3]), b: tf.tensor1d([-1]) });
    const res = await interpolate({
      params,
      from,
      to,
      evaluate: loss,
      alphas: alphaGrid(0, 1, 5),
      groups: [{ label: "every", select: { all: true } }],
    });
    expect(res.curves.map((c) => c.label)).toEqual(["all", "every"]);
    expect(res.curves[1]!.loss).toEqual(res.curves[0]!.loss);
    const flat = await interpolate({
      params,
      from,
      to,
      evaluate: loss,
      alphas: alphaGrid(0, 1, 5),
      whole: false,
      groups: [{ label: "b", select: { path: "b" } }],
    });
    const l = flat.curves[0]!.loss;
    for (const v of l) expect(v).toBeCloseTo(l[0]!, 6);
    tf.dispose([a, b]);
  });

  it("records a non-finite loss at some alpha (null in the curve, listed), and round-trips through JSON", async () => {
    const w = tf.variable(tf.tensor1d([1]));
    const params = fromVariables({ w });
    const from = captureState(params);
    const to = stateFromValues({ w: tf.tensor1d([-1]) });
    const res = await interpolate({
      params,
      from,
      to,
      evaluate: () => tf.sum(tf.sqrt(w)) as tf.Scalar,
      alphas: alphaGrid(0, 1, 5),
    });
    expect(res.curves[0]!.loss.slice(0, 2).every((v) => typeof v === "number")).toBe(true);
    expect(res.curves[0]!.loss.slice(3)).toEqual([null, null]);
    expect(res.nonFinite.map((p) => p.alpha)).toEqual([0.75, 1]);
    expect(res.nonFinite[0]!.value).toBe("NaN");
    expect(JSON.parse(JSON.stringify(res))).toEqual(res);
    tf.dispose(w);
  });

  it("lists every mismatch of the endpoints, and rejects an empty group", async () => {
    const w = tf.variable(tf.zeros([2, 3]));
    const v = tf.variable(tf.zeros([3]));
    const params = fromVariables({ "fc/kernel": w, "fc/bias": v });
    const good = captureState(params);
    const bad = stateFromValues({ "fc/kernel": tf.zeros([3, 2]), "fc/extra": tf.zeros([1]) });
    await expect(
      interpolate({ params, from: good, to: bad, evaluate: () => tf.sum(w) as tf.Scalar }),
    ).rejects.toThrow(
      /to has "fc\/kernel" of shape \[3, 2\].*\[2, 3\].*to lacks parameter "fc\/bias".*"fc\/extra", which is no parameter/,
    );
    await expect(
      interpolate({
        params,
        from: good,
        to: good,
        evaluate: () => tf.sum(w) as tf.Scalar,
        groups: [{ label: "norm", select: { path: "bn/*" } }],
      }),
    ).rejects.toThrow(/Group "norm" selects no parameter/);
    tf.dispose([w, v]);
  });

  it("restores weights exactly when the evaluator throws", async () => {
    const w = tf.variable(tf.tensor1d([0.1, 0.2]));
    const params = fromVariables({ w });
    const before = w.clone();
    let calls = 0;
    const evaluate = () => {
      if (++calls === 3) throw new Error("evaluation failed");
      return tf.sum(w) as tf.Scalar;
    };
    await expect(
      interpolate({
        params,
        from: captureState(params),
        to: stateFromValues({ w: tf.tensor1d([5, 5]) }),
        evaluate,
      }),
    ).rejects.toThrow("evaluation failed");
    expectTensorsEqual(w, before, "w");
    tf.dispose([w, before]);
  });

  it("BatchNorm statistics: recompute gives the batch statistics; from/to/interpolate read the states; all restored", async () => {
    const model = tinyBatchNorm(3);
    const params = collectParams(model);
    const { x, y } = syntheticBatch(16, [4], 3);
    const init = captureState(params);
    model.compile({ optimizer: tf.train.sgd(0.5), loss: "categoricalCrossentropy" });
    await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
    const final = captureState(params);
    const statsBefore = params.stateVariables.map((s) => s.variable.clone());
    const evaluate = modelEvaluator({ model, x, y });
    const alphas = [0, 1];
    const recompute = await interpolate({
      params,
      from: init,
      to: final,
      evaluate,
      alphas,
      bnStats: { recompute: { model, batches: x } },
    });
    // At alpha = 1 with recomputed statistics, inference equals a train-mode pass on the same batch.
    const trainLoss = tf.tidy(() => {
      // tinyBatchNorm has no softmax head: modelEvaluator's default loss is softmaxCrossEntropy on logits.
      const saved = params.stateVariables.map((s) => s.variable.clone());
      const out = tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor);
      params.stateVariables.forEach((s, i) => s.variable.assign(saved[i]!));
      return out;
    });
    expect(recompute.curves[0]!.loss[1]).toBeCloseTo(trainLoss.dataSync()[0]!, 4);
    const fromStats = await interpolate({ params, from: init, to: final, evaluate, alphas, bnStats: "from" });
    const toStats = await interpolate({ params, from: init, to: final, evaluate, alphas, bnStats: "to" });
    const interp = await interpolate({ params, from: init, to: final, evaluate, alphas });
    expect(interp.bnStats).toBe("interpolate");
    expect(interp.curves[0]!.loss[1]).toBeCloseTo(toStats.curves[0]!.loss[1]!, 6);
    expect(interp.curves[0]!.loss[0]).toBeCloseTo(fromStats.curves[0]!.loss[0]!, 6);
    expect(fromStats.curves[0]!.loss[1]).not.toBeCloseTo(toStats.curves[0]!.loss[1]!, 3);
    params.stateVariables.forEach((s, i) => expectTensorsEqual(s.variable, statsBefore[i]!, s.path));
    await expect(
      interpolate({ params, from: { params: init.params, stats: {} }, to: final, evaluate, alphas }),
    ).rejects.toThrow(/cannot choose: pass bnStats/);
    await expectNoLeak(
      () =>
        interpolate({
          params,
          from: init,
          to: final,
          evaluate,
          alphas,
          bnStats: { recompute: { model, batches: x } },
        }),
      { label: "interpolate (recompute)", calls: 3 },
    );
    tf.dispose([x, y, trainLoss, ...statsBefore]);
  });

  it("states round-trip through JSON; interpolate leaks no tensor", async () => {
    const w = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const params = fromVariables({ w });
    const s = captureState(params);
    const back = stateFromJSON(JSON.parse(JSON.stringify(stateToJSON(s))));
    expect(back.params.w!.shape).toEqual([2, 2]);
    expect(Array.from(back.params.w!.values)).toEqual([1, 2, 3, 4]);
    const to = stateFromValues({ w: tf.zeros([2, 2]) });
    await expectNoLeak(
      () =>
        interpolate({
          params,
          from: s,
          to,
          evaluate: () => tf.sum(tf.square(w)) as tf.Scalar,
          alphas: [0, 0.5, 1],
        }),
      { label: "interpolate" },
    );
    tf.dispose(w);
  });
});

import { collectParams, createRng, fromVariables } from "@sam/core";
import { expectNoLeak } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { matrixWithSpectrum, quadraticProblem } from "../internal/testing/quadraticProblem";
import { reluNet } from "../internal/testing/reluNet";
import { captureState, stateFromValues } from "../paramState";
import { filterCount, normalizeDirection } from "./normalizeDirection";
import { randomDirection } from "./randomDirection";
import { slice1d } from "./slice1d";
import { slice2d } from "./slice2d";
import { trajectoryDirections } from "./trajectoryDirections";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const ALPHAS = [-1, -0.5, 0, 0.5, 1];

describe("filter normalisation", () => {
  it("uses the tfjs layout: a conv filter is a slice along the LAST axis [kh, kw, in, out]", () => {
    const k = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, "float32", 3));
    const params = fromVariables({ "conv/kernel": k });
    const d = randomDirection(params, { seed: 5 });
    expect(filterCount(params.get("conv/kernel"))).toBe(4);
    const theta = k.dataSync();
    const v = d["conv/kernel"]!.values;
    for (let o = 0; o < 4; o++) {
      let nt = 0;
      let nd = 0;
      for (let i = o; i < theta.length; i += 4) {
        nt += theta[i]! ** 2;
        nd += v[i]! ** 2;
      }
      expect(Math.sqrt(nd)).toBeCloseTo(Math.sqrt(nt), 4);
    }
    k.dispose();
  });

  it("zeroes rank-1 parameters by default, and copies them with ignore: 'none'", () => {
    const b = tf.variable(tf.tensor1d([1, 2, 3]));
    const w = tf.variable(tf.ones([2, 3]));
    const params = fromVariables({ "fc/kernel": w, "fc/bias": b });
    expect(Array.from(randomDirection(params)["fc/bias"]!.values)).toEqual([0, 0, 0]);
    expect(Array.from(randomDirection(params, { ignore: "none" })["fc/bias"]!.values)).toEqual([1, 2, 3]);
    expect(() =>
      normalizeDirection(params, { "fc/kernel": { shape: [3, 2], values: new Float32Array(6) } }),
    ).toThrow(/"fc\/kernel" has shape \[3, 2\].*lacks "fc\/bias"/);
    tf.dispose([w, b]);
  });

  it("two random directions are nearly orthogonal: |cos| < 5 / sqrt(n)", async () => {
    const w = tf.variable(tf.ones([40, 50]));
    const params = fromVariables({ w });
    const res = await slice2d({
      params,
      directions: [
        randomDirection(params, { seed: 1, normalization: "none" }),
        randomDirection(params, { seed: 2, normalization: "none" }),
      ],
      evaluate: () => tf.sum(w) as tf.Scalar,
      xs: [0],
    });
    expect(Math.abs(res.cosine)).toBeLessThan(5 / Math.sqrt(2000));
    w.dispose();
  });
});

describe("invariance of filter-normalised curves", () => {
  it("a ReLU net rescaled by (3, 1/3) gives the same curve; a raw direction does not", async () => {
    const curves: (number | null)[][] = [];
    const raw: (number | null)[][] = [];
    for (const c of [1, 3]) {
      const net = reluNet(c);
      const d = randomDirection(net.params, { seed: 4 });
      curves.push(
        (await slice1d({ params: net.params, direction: d, evaluate: net.loss, alphas: ALPHAS })).loss,
      );
      const r = randomDirection(net.params, { seed: 4, normalization: "none" });
      raw.push(
        (await slice1d({ params: net.params, direction: r, evaluate: net.loss, alphas: ALPHAS })).loss,
      );
      net.dispose();
    }
    curves[0]!.forEach((v, i) => expect(Math.abs(v! - curves[1]![i]!)).toBeLessThan(1e-5 * Math.max(1, v!)));
    expect(Math.abs(raw[0]![4]! - raw[1]![4]!)).toBeGreaterThan(1e-2);
    expect(curves[0]![2]).toBeCloseTo(raw[0]![2]!, 6); // same centre
  });

  it("a layer rescaled by 3 in front of a normalisation layer gives the same curve", async () => {
    const curves: (number | null)[][] = [];
    for (const c of [1, 3]) {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            units: 6,
            inputShape: [4],
            useBias: false,
            name: "fc1",
            kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
          }),
          tf.layers.layerNormalization({ name: "ln1", epsilon: 1e-12 }),
          tf.layers.activation({ activation: "tanh", name: "tanh1" }),
          tf.layers.dense({
            units: 3,
            name: "head",
            kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
          }),
        ],
      });
      const params = collectParams(model);
      const k = params.get("fc1/kernel").variable;
      k.assign(tf.tidy(() => tf.mul(k, c)));
      const x = tf.randomNormal([16, 4], 0, 1, "float32", 7);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0], "int32"), 3);
      const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
      const d = randomDirection(params, { seed: 9 });
      curves.push((await slice1d({ params, direction: d, evaluate: loss, alphas: ALPHAS })).loss);
      tf.dispose([x, y]);
      model.dispose();
    }
    curves[0]!.forEach((v, i) => expect(Math.abs(v! - curves[1]![i]!)).toBeLessThan(1e-5 * Math.max(1, v!)));
  });
});

describe("slices", () => {
  it("2-D slice of a quadratic at its minimum is (a^2 d1Ad1 + 2ab d1Ad2 + b^2 d2Ad2) / 2", async () => {
    const A = matrixWithSpectrum([3, 2, 1, 0.5], 6);
    const q = quadraticProblem(A, 0);
    const rng = createRng(2);
    const vec = () => Array.from({ length: 4 }, () => rng.normal());
    const [u, v] = [vec(), vec()];
    const dir = (x: number[]) => ({
      a: { shape: [2], values: Float32Array.from(x.slice(0, 2)) },
      b: { shape: [2, 1], values: Float32Array.from(x.slice(2)) },
    });
    const quad = (x: number[], y: number[]) =>
      x.reduce((s, xi, i) => s + xi * A[i]!.reduce((t, aij, j) => t + aij * y[j]!, 0), 0);
    const res = await slice2d({
      params: q.params,
      directions: [dir(u), dir(v)],
      evaluate: q.loss,
      xs: [-1, 0, 0.5],
      ys: [-0.5, 1],
    });
    res.ys.forEach((b, j) =>
      res.xs.forEach((a, i) =>
        expect(res.loss[j]![i]).toBeCloseTo(
          (a * a * quad(u, u) + 2 * a * b * quad(u, v) + b * b * quad(v, v)) / 2,
          4,
        ),
      ),
    );
    q.dispose();
  });

  it("records non-finite points and restores the weights; leaks no tensor", async () => {
    const w = tf.variable(tf.tensor2d([1, 1], [1, 2]));
    const params = fromVariables({ w });
    const before = captureState(params);
    const d = { w: { shape: [1, 2], values: Float32Array.from([-2, 0]) } };
    const res = await slice1d({
      params,
      direction: d,
      evaluate: () => tf.sum(tf.log(w)) as tf.Scalar,
      alphas: [0, 0.25, 1],
    });
    expect(res.loss[2]).toBeNull();
    expect(res.nonFinite).toEqual([1]);
    expect(Array.from(w.dataSync())).toEqual(Array.from(before.params.w!.values));
    await expectNoLeak(
      () => slice1d({ params, direction: d, evaluate: () => tf.sum(w) as tf.Scalar, alphas: [0, 1] }),
      { label: "slice1d" },
    );
    await expectNoLeak(
      () => slice2d({ params, directions: [d, d], evaluate: () => tf.sum(w) as tf.Scalar, xs: [0, 1] }),
      { label: "slice2d" },
    );
    w.dispose();
  });

  it("trajectory PCA recovers a planar trajectory: explained variance sums to ~1, residuals ~0", () => {
    const w = tf.variable(tf.zeros([3, 4]));
    const params = fromVariables({ w });
    const rng = createRng(8);
    const e1 = Array.from({ length: 12 }, () => rng.normal());
    const e2 = Array.from({ length: 12 }, () => rng.normal());
    const states = Array.from({ length: 8 }, (_, t) => {
      const a = Math.exp(-t / 3);
      const b = Math.sin(t);
      return stateFromValues({
        w: { shape: [3, 4], values: Float32Array.from(e1.map((x, i) => a * x + 0.3 * b * e2[i]!)) },
      });
    });
    const res = trajectoryDirections(params, states);
    expect(res.explainedVariance[0] + res.explainedVariance[1]).toBeCloseTo(1, 5);
    for (const p of res.points) expect(p.residual).toBeLessThan(1e-3);
    expect(res.points.at(-1)!.x).toBe(0);
    w.dispose();
  });
});

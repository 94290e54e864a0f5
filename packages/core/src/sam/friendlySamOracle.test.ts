import { expectTensorsClose } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { fromVariables } from "../params/fromVariables";
import { sgd } from "../rules/sgd";
import { chunkedLoss } from "./chunkedLoss";
import { friendlySamOracle } from "./friendlySamOracle";

// L(w) = 1/2 sum A w^2, A = (1, 4), w0 = (1, 1); SGD lr 0.1, rho 0.5, epsilon 0, sigma 1, lambda 0.6.
const A = [1, 4];
const grad = (w: number[]) => w.map((wi, i) => A[i]! * wi);

describe("Friendly-SAM: hand-derived steps", () => {
  it("perturbs along g - sigma m, m the moving average of past gradients (m = g on the first step)", async () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const At = tf.tensor1d(A);
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1 }),
      oracle: friendlySamOracle({ rho: 0.5, sigma: 1, lambda: 0.6, epsilon: 0 }),
    });
    const f = () => tf.mul(0.5, tf.sum(tf.mul(At, tf.square(w)))) as tf.Scalar;
    const step = (wj: number[], d: number[]) => {
      const n = Math.hypot(...d);
      const gp = grad(wj.map((wi, i) => wi + (0.5 * d[i]!) / n));
      return wj.map((wi, i) => wi - 0.1 * gp[i]!);
    };
    // step 0: d = g0 (SAM), m = g0
    const g0 = grad([1, 1]);
    const w1 = step([1, 1], g0);
    optimizer.minimize(f);
    expectTensorsClose(w, w1, { atol: 1e-6, rtol: 0 });
    // step 1: d = g1 - m, then m = 0.6 g0 + 0.4 g1
    const g1 = grad(w1);
    const w2 = step(
      w1,
      g1.map((g, i) => g - g0[i]!),
    );
    expect(Math.abs(w2[1]! - step(w1, g1)[1]!)).toBeGreaterThan(1e-3); // differs from SAM's step
    optimizer.minimize(f);
    expectTensorsClose(w, w2, { atol: 1e-6, rtol: 0 });
    const slots = Object.fromEntries((await optimizer.getWeights()).map((s) => [s.name, s.tensor]));
    expectTensorsClose(
      slots["w/fsam.m"]!,
      g0.map((g, i) => 0.6 * g + 0.4 * g1[i]!),
      { atol: 1e-6, rtol: 0 },
    );
    optimizer.dispose();
    tf.dispose([w, At]);
  });

  it("refuses bad sigma and lambda, and per-micro perturbations, naming the fix", () => {
    expect(() => friendlySamOracle({ rho: 0.05, sigma: -1 })).toThrow(/Friendly-SAM sigma is -1/);
    expect(() => friendlySamOracle({ rho: 0.05, lambda: 1 })).toThrow(
      /Friendly-SAM lambda is 1: it must be in \[0, 1\)/,
    );
    const w = tf.variable(tf.tensor1d([1, 1, 1, 1]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1 }),
      oracle: friendlySamOracle({ rho: 0.05 }),
    });
    const x = tf.tensor1d([1, 2, 3, 4]);
    expect(() =>
      optimizer.minimize(chunkedLoss([x], 2, (c) => tf.sum(tf.mul(c!, tf.square(w))) as tf.Scalar)),
    ).toThrow(/needs accumulation: 'global'/);
    optimizer.dispose();
    tf.dispose([w, x]);
  });
});

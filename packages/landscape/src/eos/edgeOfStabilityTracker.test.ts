import { fromVariables } from "@sam/core";
import { expectNoLeak } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { edgeOfStabilityThreshold } from "./edgeOfStabilityThreshold";
import { EdgeOfStabilityTracker } from "./edgeOfStabilityTracker";

beforeAll(async () => {
  await tf.setBackend(process.env.SAM_BACKEND ?? "cpu");
});

// L = 1/2 w^T H w, H = [[2, 1], [1, 3]] (lambda_max(H) = 3.618).
// Adam after t = 1 update, beta_1 = 0.9, beta_2 = 0.999, epsilon = 0, v_1 = (0.1, 1.6):
//   v_hat = v / (1 - 0.999) = (100, 1600), sqrt = (10, 40), P = (1 - 0.9) (10, 40) = (1, 4)
//   P^-1 H = [[2, 1], [0.25, 0.75]]: trace 2.75, det 1.25,
//   lambda_max = (2.75 + sqrt(2.75^2 - 5)) / 2 = (2.75 + 1.600781) / 2 = 2.1753905
// threshold (2 + 2 beta_1) / ((1 - beta_1) eta) = 3.8 / (0.1 * 0.01) = 3800.
function quadratic() {
  const w = tf.variable(tf.tensor1d([0.3, -0.2]));
  const H = tf.tensor2d([
    [2, 1],
    [1, 3],
  ]);
  const loss = () =>
    tf.tidy(
      () => tf.mul(0.5, tf.sum(tf.mul(w, tf.squeeze(tf.matMul(H, tf.reshape(w, [2, 1])))))) as tf.Scalar,
    );
  const v = tf.tensor1d([0.1, 1.6]);
  return { params: fromVariables({ w }), loss, v, dispose: () => tf.dispose([w, H, v]) };
}

describe("EdgeOfStabilityTracker, Adam mode (Cohen et al. 2022)", () => {
  it("the threshold of an EMA momentum is (2 + 2 beta) / ((1 - beta) eta): 38/eta for beta = 0.9", () => {
    expect(edgeOfStabilityThreshold(0.01, { momentum: 0.9, ema: true })).toBeCloseTo(3800, 9);
    expect(edgeOfStabilityThreshold(0.1, { momentum: 0, ema: true })).toBeCloseTo(20, 12); // = 2/eta
    expect(() => edgeOfStabilityThreshold(0.1, { momentum: 0.9, ema: true, nesterov: true })).toThrow(
      /pick one/,
    );
  });

  it("measures lambda_max(P^-1 H) = 2.1753905 against 38/eta = 3800 (hand-derived)", async () => {
    const q = quadratic();
    const tracker = new EdgeOfStabilityTracker({
      params: q.params,
      lossFn: q.loss,
      lr: 0.01,
      every: 1,
      maxIter: 200,
      tol: 1e-10,
      method: "exact",
      adam: { secondMoment: () => [q.v], epsilon: 0 },
    });
    expect(await tracker.step(0)).toBeNull(); // v_0 = 0: no preconditioner yet
    const r = (await tracker.step(1))!;
    expect(r.lambdaMax).toBeCloseTo(2.1753905, 4);
    expect(r.threshold).toBeCloseTo(3800, 9);
    expect(r.ratio).toBeCloseTo(2.1753905 / 3800, 7);
    expect(r.lrTimesSharpness).toBeCloseTo(0.021753905, 6);
    await expect(tracker.measure(0)).rejects.toThrow(/Adam mode measured at step 0: .*needs t >= 1/);
    // The plain tracker on the same loss sees lambda_max(H) = (5 + sqrt 5) / 2 against 2/eta.
    const plain = new EdgeOfStabilityTracker({
      params: q.params,
      lossFn: q.loss,
      lr: 0.01,
      maxIter: 200,
      tol: 1e-10,
    });
    const p = await plain.measure(1);
    expect(p.lambdaMax).toBeCloseTo((5 + Math.sqrt(5)) / 2, 3);
    expect(p.threshold).toBeCloseTo(200, 9);
    q.dispose();
  });

  it("bias correction follows t: at t = 2 P = (1 - 0.81) sqrt(v / (1 - 0.999^2)) + ...", async () => {
    const q = quadratic();
    const tracker = new EdgeOfStabilityTracker({
      params: q.params,
      lossFn: q.loss,
      lr: 0.01,
      maxIter: 300,
      tol: 1e-12,
      method: "exact",
      adam: { secondMoment: () => [q.v], epsilon: 0 },
    });
    // P_i = 0.19 sqrt(v_i / 0.001999) = (0.19 sqrt(0.1/0.001999), 0.19 sqrt(1.6/0.001999)); P^-1 H eigenvalues
    const c = 0.19 / Math.sqrt(0.001999);
    const [p1, p2] = [c * Math.sqrt(0.1), c * Math.sqrt(1.6)];
    const [a, b, d] = [2 / p1, 1 / Math.sqrt(p1 * p2), 3 / p2]; // P^-1/2 H P^-1/2
    const expected = (a + d + Math.sqrt((a - d) ** 2 + 4 * b * b)) / 2;
    expect((await tracker.measure(2)).lambdaMax).toBeCloseTo(expected, 4);
    q.dispose();
  });

  // tf.train.adam(0.01) (beta_1 0.9, beta_2 0.999, epsilon 1e-7), one step from w0 = (0.3, -0.2):
  // g = H w0 = (0.4, -0.3), v_1 = 0.001 g^2, v_hat = g^2, P = 0.1 (|g| + 1e-7) = (0.04, 0.03) (+1e-8);
  // P^-1/2 H P^-1/2 = [[50, 1/sqrt(0.0012)], [., 100]]: lambda_max = (150 + sqrt(2500 + 4/0.0012)) / 2 = 113.188
  it("reads tf.train.adam's second moment: lambda_max(P^-1 H) = 113.19 after one step", async () => {
    const q = quadratic();
    const optimizer = tf.train.adam(0.01);
    optimizer.minimize(q.loss, false, q.params.variables());
    const tracker = new EdgeOfStabilityTracker({
      params: q.params,
      lossFn: q.loss,
      lr: 0.01,
      maxIter: 300,
      tol: 1e-12,
      method: "exact",
      adam: {
        secondMoment: async () =>
          (await optimizer.getWeights()).filter((w) => w.name.endsWith("/v")).map((w) => w.tensor),
        epsilon: 1e-7,
      },
    });
    const r = await tracker.measure(1);
    expect(r.lambdaMax).toBeCloseTo((150 + Math.sqrt(2500 + 4 / 0.0012)) / 2, 2);
    expect(r.ratio).toBeCloseTo(r.lambdaMax / 3800, 9);
    optimizer.dispose();
    q.dispose();
  });

  it("refuses momentum with adam, bad betas and a second moment of the wrong shape, naming the fix", async () => {
    const q = quadratic();
    const base = { params: q.params, lossFn: q.loss, lr: 0.01 };
    expect(
      () => new EdgeOfStabilityTracker({ ...base, momentum: 0.9, adam: { secondMoment: () => [q.v] } }),
    ).toThrow(/drop momentum and nesterov/);
    expect(
      () => new EdgeOfStabilityTracker({ ...base, adam: { secondMoment: () => [q.v], beta1: 1 } }),
    ).toThrow(/adam.beta1 is 1/);
    const wrong = new EdgeOfStabilityTracker({ ...base, adam: { secondMoment: () => [q.v, q.v] } });
    await expect(wrong.measure(3)).rejects.toThrow(/returned 2 tensor\(s\).*in the parameters' order/);
    q.dispose();
  });

  it("leaks no tensor in Adam mode", async () => {
    const q = quadratic();
    const tracker = new EdgeOfStabilityTracker({
      params: q.params,
      lossFn: q.loss,
      lr: 0.01,
      adam: { secondMoment: () => [q.v] },
    });
    await expectNoLeak(() => tracker.measure(5), { label: "EdgeOfStabilityTracker adam" });
    q.dispose();
  });
});

/**
 * Spec section G.1 (Lyu, Li & Arora 2022): on a scale-invariant loss, GD with weight decay
 * shrinks the norm until lr * lambda_max reaches 2 (the edge of stability), then drifts along
 * the minimisers towards lower spherical sharpness. Toy: theta in R^3, u = theta / ||theta||,
 * L(theta) = (k u1 u2 - 1)^2 / 2 with k = 4; minimisers u1 u2 = 1/k, spherical sharpness
 * from 12 (u3 = 0) down to 2k - 4 = 4 (u1 = u2 = 1/sqrt(k)). GD with coupled weight decay
 * theta <- (1 - lr wd) theta - lr g, lr = 0.1, wd = 0.01, from theta_0 = (0.96, 0.27, 0.05).
 */
import { fromVariables } from "@sam/core";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { EdgeOfStabilityTracker } from "../eos/edgeOfStabilityTracker";
import { scaleInvariantSharpness } from "./scaleInvariantSharpness";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function toy(theta0: number[]) {
  const theta = tf.variable(tf.tensor1d(theta0));
  const loss = () =>
    tf.tidy(() => {
      const u = tf.div(theta, tf.norm(theta));
      const p = tf.mul(4, tf.mul(tf.slice(u, 0, 1), tf.slice(u, 1, 1)));
      return tf.mul(0.5, tf.sum(tf.square(tf.sub(p, 1)))) as tf.Scalar;
    });
  return { theta, params: fromVariables({ theta }), loss };
}

function gdWithWeightDecay(t: ReturnType<typeof toy>, lr: number, wd: number) {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(t.loss, [t.theta]);
    t.theta.assign(tf.sub(tf.mul(t.theta, 1 - lr * wd), tf.mul(grads[t.theta.name]!, lr)));
  });
}

describe("scale-invariant sharpness reduction (experiment)", () => {
  it("reaches lr * lambda_max = 2 within 1%, spherical sharpness -> 4, ||theta||^2 -> lr S / 2", async () => {
    const lr = 0.1;
    const wd = 0.01;
    const t = toy([0.96, 0.27, 0.05]);
    const tracker = new EdgeOfStabilityTracker({
      params: t.params,
      lossFn: t.loss,
      lr,
      every: 250,
      maxIter: 100,
      tol: 1e-7,
    });
    const s0 = await scaleInvariantSharpness(t.params, t.loss);
    expect(s0.sphericalSharpness).toBeGreaterThan(11.3);
    for (let step = 0; step <= 4000; step++) {
      await tracker.step(step);
      gdWithWeightDecay(t, lr, wd);
    }
    const h = tracker.history;
    // 1. lr * lambda_max reaches 1.8 within about 1/(lr wd) = 1000 steps and stays on the edge.
    //    (Measured here at the iterates: 1.98 at step 250, 2.0-2.2 while the direction drifts
    //    (steps 500-2750), 1.994 from step 3250 on; the spec's table reads 1.84-1.92 in the
    //    drift phase and the same 1.995 at the end.)
    const first = h.find((r) => r.lrTimesSharpness >= 1.8);
    expect(first!.step).toBeLessThanOrEqual(1000);
    for (const r of h.filter((r) => r.step >= first!.step)) {
      expect(r.lrTimesSharpness).toBeGreaterThan(1.8);
      expect(r.lrTimesSharpness).toBeLessThan(2.25);
    }
    // The done-when criterion: lr * sharpness = 2 within 1% at the end.
    expect(Math.abs(h.at(-1)!.lrTimesSharpness - 2) / 2).toBeLessThan(0.01);
    // 2. spherical sharpness ends within 1% of its flattest value 4 (3.986 at the lr-induced offset).
    const s = await scaleInvariantSharpness(t.params, t.loss);
    expect(Math.abs(s.sphericalSharpness - 4) / 4).toBeLessThan(0.01);
    // 3. ||theta||^2 ends within 1% of lr S_sph / 2.
    expect(Math.abs(s.normsSquared[0]! - (lr * s.sphericalSharpness) / 2) / s.normsSquared[0]!).toBeLessThan(
      0.01,
    );
    t.theta.dispose();
  });

  it("control: a small lr without weight decay stays at the sharp minimum", async () => {
    const t = toy([0.96, 0.27, 0.05]);
    for (let step = 0; step < 400; step++) gdWithWeightDecay(t, 0.001, 0);
    const s = await scaleInvariantSharpness(t.params, t.loss);
    expect(s.sphericalSharpness).toBeGreaterThan(11);
    t.theta.dispose();
  });
});

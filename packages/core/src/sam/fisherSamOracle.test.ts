import { expectTensorsClose } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { fromVariables } from "../params/fromVariables";
import { sgd } from "../rules/sgd";
import { fisherSamOracle } from "./fisherSamOracle";

// L(w) = 1/2 sum A w^2, A = (1, 4), w0 = (1, 1); SGD lr 0.1, rho 0.5, epsilon 0, eta 1.
// step 0: g = (1, 4), f = 1 + g^2 = (2, 17), g / f = (0.5, 4/17), g^T F^-1 g = 0.5 + 16/17.
const A = [1, 4];
const grad = (w: number[]) => w.map((wi, i) => A[i]! * wi);

describe("Fisher-SAM: hand-derived steps", () => {
  it("perturbs to the edge of the Fisher ellipsoid e^T F e = rho^2, F = diag(1 + eta g^2)", () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const At = tf.tensor1d(A);
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1 }),
      oracle: fisherSamOracle({ rho: 0.5, eta: 1, epsilon: 0 }),
    });
    const f = () => tf.mul(0.5, tf.sum(tf.mul(At, tf.square(w)))) as tf.Scalar;
    let wj = [1, 1];
    for (let t = 0; t < 2; t++) {
      const g = grad(wj);
      const fg = g.map((gi) => 1 + gi * gi);
      const q = Math.sqrt(g.reduce((s, gi, i) => s + (gi * gi) / fg[i]!, 0));
      const e = g.map((gi, i) => (0.5 * gi) / fg[i]! / q);
      expect(e.reduce((s, ei, i) => s + ei * ei * fg[i]!, 0)).toBeCloseTo(0.25, 12); // e^T F e = rho^2
      const gp = grad(wj.map((wi, i) => wi + e[i]!));
      wj = wj.map((wi, i) => wi - 0.1 * gp[i]!);
      optimizer.minimize(f);
      expectTensorsClose(w, wj, { atol: 1e-6, rtol: 0 });
    }
    // SAM's two steps land elsewhere: w0 - 0.1 g_p with e = rho g / ||g||
    let ws = [1, 1];
    for (let t = 0; t < 2; t++) {
      const g = grad(ws);
      const n = Math.hypot(...g);
      const gp = grad(ws.map((wi, i) => wi + (0.5 * g[i]!) / n));
      ws = ws.map((wi, i) => wi - 0.1 * gp[i]!);
    }
    expect(Math.abs(ws[0]! - wj[0]!)).toBeGreaterThan(1e-3);
    optimizer.dispose();
    tf.dispose([w, At]);
  });

  it("climbs to the first-order maximum over the ellipsoid, rho sqrt(g^T F^-1 g), above SAM's direction", () => {
    // L(w) = c . w, c = (1, 4): g = c, F = diag(1 + g^2) = diag(2, 17), rho 0.5, eta 1, w0 = (1, 1), L(w0) = 5.
    // max c . e subject to e^T F e <= rho^2 is rho sqrt(c^T F^-1 c) = 0.5 sqrt(1/2 + 16/17) = 0.600245 (Cauchy-Schwarz
    // in the F inner product), attained only at e = rho F^-1 c / sqrt(c^T F^-1 c); SAM's direction c scaled onto the
    // same ellipsoid reaches 0.5 * 17 / sqrt(1 * 2 + 16 * 17) = 0.513504. L is linear, so L(w0 + e) - L(w0) = c . e.
    // The same e in ASAM's operator form, T = diag(1 / sqrt(1 + eta g^2)): rho T^2 g / ||T g||.
    const w = tf.variable(tf.tensor1d([1, 1]));
    const cVec = tf.tensor1d([1, 4]);
    const oracle = fisherSamOracle({ rho: 0.5, eta: 1, epsilon: 0, checkFinite: true });
    const optimizer = new GroupedOptimizer({ params: fromVariables({ w }), rule: sgd({ lr: 0.1 }), oracle });
    optimizer.minimize(() => tf.sum(tf.mul(cVec, w)) as tf.Scalar);
    const d = oracle.diagnostics!;
    expect(d.loss).toBeCloseTo(5, 6);
    expect(d.perturbedLoss - d.loss).toBeCloseTo(0.600245048, 5);
    expect(d.perturbedLoss - d.loss).toBeGreaterThan(0.513504 + 0.08);
    optimizer.dispose();
    tf.dispose([w, cVec]);
  });

  it("refuses a bad eta, naming it", () => {
    expect(() => fisherSamOracle({ rho: 0.05, eta: -2 })).toThrow(
      /Fisher-SAM eta is -2: it must be a finite number >= 0/,
    );
  });
});

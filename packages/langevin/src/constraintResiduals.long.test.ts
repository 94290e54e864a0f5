import * as tf from "@tensorflow/tfjs";
import { fromVariables, GroupedOptimizer } from "@sam/core";
import { describe, expect, it } from "vitest";
import { adaptiveLangevin } from "./adaptiveLangevin";
import { ball, circle, orthogonal, sphere } from "./constraint";
import { langevinDiagnostics } from "./langevinDiagnostics";
import { langevin } from "./langevin";
import { fastNoise } from "./noiseSource";
import { sgld } from "./sgld";

// Spec 5.1, constraint invariants, for every constrained rule and kind (the ball included): in
// float32 the residuals stay at round-off level (spec: <= 2e-6 orthogonality, <= 1e-6 r^2
// circles with re-normalization) over 10,000 steps; the issue asks for < 1e-5. Residuals are read only at the end (nothing drifts in between
// unnoticed: each step re-solves onto the manifold from the previous point, so a drift would
// accumulate and show at the end).
describe("constraint residuals stay below 1e-5 in float32 over 10,000 steps", () => {
  for (const [name, rule] of [
    ["CoLA-ud (BAOAB)", "ud"],
    ["CoLA-od", "od"],
    ["constrained Adaptive Langevin", "adla"],
  ] as const) {
    it(name, { timeout: 600_000 }, async () => {
      const a = tf.variable(tf.randomNormal([16, 8], 0, 1, "float32", 1));
      const b = tf.variable(tf.randomNormal([6, 4], 0, 1, "float32", 2));
      const c = tf.variable(tf.randomUniform([64], -0.5, 0.5, "float32", 3));
      const d = tf.variable(tf.randomNormal([6, 5], 0, 0.3, "float32", 5));
      const target = tf.randomNormal([16, 8], 0, 1, "float32", 4);
      const constraints = [
        orthogonal({ select: { path: "a" }, iterations: 4 }),
        sphere(1.5, { select: { path: "b" } }),
        circle(0.5, { select: { path: "c" } }),
        ball(0.8, { select: { path: "d" } }),
      ];
      const optimizer = new GroupedOptimizer({
        params: fromVariables({ a, b, c, d }),
        defaults: {
          ud: { h: 0.1, friction: 1, temperature: 1e-3 },
          od: { lr: 0.01, temperature: 1e-3 },
          adla: { h: 0.1, temperature: 1e-3, sigmaA: 0.05, coupling: 0.05, xi0: 1 },
        }[rule],
        rule: {
          ud: () => langevin({}, { noise: fastNoise, constraints }),
          od: () => sgld({}, { noise: fastNoise, constraints }),
          adla: () => adaptiveLangevin({}, { noise: fastNoise, constraints }),
        }[rule](),
        seed: 2,
      });
      for (let n = 0; n < 10_000; n++) {
        tf.tidy(() =>
          optimizer.applyGradients({
            [a.name]: tf.sub(a, target),
            [b.name]: tf.onesLike(b),
            [c.name]: tf.mul(2, c),
            [d.name]: tf.fill([6, 5], -1), // pushes every unit of d onto the ball's boundary
          }),
        );
      }
      const report = await langevinDiagnostics(optimizer);
      const residuals = Object.fromEntries(
        report.groups[0]!.tensors.map((t) => [t.path, t.constraintResidual]),
      );
      expect(residuals.a, "max |a^T a - I|").toBeLessThan(1e-5);
      expect(residuals.b, "max | |b_j| - r |").toBeLessThan(1e-5);
      expect(residuals.c, "max |c^2 + s^2 - r^2|").toBeLessThan(1e-5);
      expect(residuals.d, "max | |d_j|^2 + s_j^2 - r^2 |").toBeLessThan(1e-5);
      expect(Math.max(...tf.norm(d, 2, 0).dataSync()), "max |d_j| (<= r)").toBeLessThanOrEqual(0.8 + 1e-5);
      optimizer.dispose();
      tf.dispose([a, b, c, d, target]);
    });
  }
});

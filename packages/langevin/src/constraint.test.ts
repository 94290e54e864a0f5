import * as tf from "@tensorflow/tfjs";
import { fromVariables, GroupedOptimizer, SamConfigError } from "@sam/core";
import { expectNoLeak, expectTensorsClose, optimizerConformance } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { readBy, subjectFor } from "./__fixtures__/subjects";
import { adaptiveLangevin } from "./adaptiveLangevin";
import { ball, circle, orthogonal, type ResolvedConstraint, tangentDimension } from "./constraint";
import { langevin } from "./langevin";
import { langevinDiagnostics } from "./langevinDiagnostics";
import { fastNoise, type NoiseSource } from "./noiseSource";
import { projectOntoConstraint } from "./projectOntoConstraint";
import { sgld } from "./sgld";

const zeros: NoiseSource = { kind: "zeros", normal: (r) => tf.zeros([...r.shape]) };

// The conformance quadratic's minimum (1, -2) has norm sqrt(5) < 5: inside the ball.
optimizerConformance(
  "langevin with a ball constraint",
  subjectFor(() => langevin({}, { constraints: [ball(5, { select: { rank: [1, 8] } })] }), {
    h: 0.3,
    friction: 1,
    temperature: 1e-7,
  }),
);

describe("ball (the sphere inequality)", () => {
  it("validates its radius and resolves per unit", () => {
    expect(() => ball(0)).toThrow(/ball\(radius\) is 0: the radius must be a finite number > 0/);
    expect(() => ball(Number.NaN)).toThrow(SamConfigError);
    expect(ball(2, { select: { path: "k" } })).toEqual({ kind: "ball", radius: 2, select: { path: "k" } });
  });

  it("has one tangent degree of freedom per entry (plus slack, minus one constraint per unit)", () => {
    const c = (kind: ResolvedConstraint["kind"], matrix: [number, number]): ResolvedConstraint => ({
      kind,
      radius: 1,
      iterations: 10,
      matrix,
    });
    expect(tangentDimension(12, null)).toBe(12);
    expect(tangentDimension(8, c("orthogonal", [4, 2]))).toBe(5); // 8 - 3
    expect(tangentDimension(18, c("orthogonal", [3, 6]))).toBe(12); // wide: 18 - 6
    expect(tangentDimension(12, c("sphere", [3, 4]))).toBe(8);
    expect(tangentDimension(12, c("circle", [12, 1]))).toBe(12);
    expect(tangentDimension(12, c("ball", [3, 4]))).toBe(12);
  });

  it("projectOntoConstraint shortens only the units outside the ball", () => {
    // Columns (3, 4) (norm 5) and (0.3, 0.4) (norm 0.5), radius 2.5: (1.5, 2) and unchanged.
    const k = tf.variable(tf.tensor2d([3, 0.3, 4, 0.4], [2, 2]));
    projectOntoConstraint(k, ball(2.5));
    expectTensorsClose(k, [1.5, 0.3, 2, 0.4], { atol: 1e-6, rtol: 0 });
    k.dispose();
  });

  // One unit of fan-in 2, r = 1, w = (0.6, 0), so s = 0.8; tau = 0, delta = 0.5, g = (-1, 0).
  // Move: w~ = (1.1, 0), s~ = 0.8. Solve along the old (w, s) = (0.6, 0, 0.8):
  // |(1.1 + 0.6 l, 0, 0.8 + 0.8 l)|^2 = 1, i.e. l^2 + 2.6 l + 0.85 = 0, root nearest 0
  // l = (-2.6 + sqrt(3.36)) / 2 = -0.3834849: w = (0.8699091, 0), s = 0.4932121. A sphere
  // constraint would keep |w| = 1; without the constraint w would be (1.1, 0).
  it("CoLA-od step: the (w, s) move solved along the old normal (hand-derived)", async () => {
    const k = tf.variable(tf.tensor2d([0.6, 0], [2, 1]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ k }),
      defaults: { lr: 0.5, temperature: 0 },
      rule: sgld({}, { constraints: [ball(1)] }),
    });
    opt.applyGradients({ [k.name]: tf.tensor2d([-1, 0], [2, 1]) });
    const l = (-2.6 + Math.sqrt(3.36)) / 2;
    expectTensorsClose(k, [1.1 + 0.6 * l, 0], { atol: 1e-6, rtol: 0 });
    const slack = (await opt.getWeights()).find((w) => w.name === "k/sgld.slack")!.tensor;
    expect(slack.shape).toEqual([1]);
    expectTensorsClose(slack, [0.8 * (1 + l)], { atol: 1e-6, rtol: 0 });
    opt.dispose();
    k.dispose();
  });

  // With fan-in 1 a unit's ball is the interval [-r, r] and (w, s) the circle: the CoLA-od
  // steps of ball and circle (same noise: the slack draws of both have `units` entries) agree
  // to float32 round-off (the two solves round differently: 2e-6 after 100 steps).
  it("with fan-in 1 it is the circle constraint (CoLA-od, same noise)", () => {
    const run = (c: ReturnType<typeof ball>) => {
      const k = tf.variable(tf.randomUniform([1, 64], -0.9, 0.9, "float32", 3));
      const opt = new GroupedOptimizer({
        params: fromVariables({ k }),
        defaults: { lr: 0.05, temperature: 0.5 },
        rule: sgld({}, { noise: fastNoise, constraints: [c] }),
        seed: 4,
      });
      for (let n = 0; n < 100; n++) tf.tidy(() => opt.applyGradients({ [k.name]: tf.mul(2, k) }));
      opt.dispose();
      return k;
    };
    const a = run(ball(1));
    const b = run(circle(1));
    expectTensorsClose(a, b, { atol: 1e-5, rtol: 0 }, "ball(1) vs circle(1) on a [1, 64] kernel");
    tf.dispose([a, b]);
  });

  for (const [name, rule] of [
    ["langevin BAOAB", () => langevin({}, { constraints: [ball(0.7)] })],
    ["langevin OBA", () => langevin({}, { order: "OBA", constraints: [ball(0.7)] })],
    ["sgld", () => sgld({ lr: 0.05 }, { constraints: [ball(0.7)] })],
    ["adaptiveLangevin", () => adaptiveLangevin({ sigmaA: 0.3 }, { constraints: [ball(0.7)] })],
  ] as const) {
    it(`keeps every unit inside the ball, on the augmented sphere, without leaking (${name})`, async () => {
      // A force pushing every column outward: the constraint is active.
      const k = tf.variable(tf.randomNormal([5, 4], 0, 0.1, "float32", 6));
      const opt = new GroupedOptimizer({
        params: fromVariables({ k }),
        defaults: readBy(rule(), { h: 0.2, friction: 1, temperature: 0.01 }),
        rule: rule(),
        seed: 2,
      });
      await expectNoLeak(() => opt.minimize(() => tf.neg(tf.sum(k)) as tf.Scalar, true), { label: name });
      for (let n = 0; n < 40; n++) opt.minimize(() => tf.neg(tf.sum(k)) as tf.Scalar);
      const norms = tf.norm(k, 2, 0).dataSync();
      expect(Math.max(...norms), "largest unit norm").toBeLessThanOrEqual(0.7 + 1e-6);
      expect(Math.max(...norms), "the constraint is active").toBeGreaterThan(0.6);
      const report = await langevinDiagnostics(opt);
      const t = report.groups[0]!.tensors[0]!;
      expect(t.constraint).toBe("ball");
      expect(t.constraintResidual, "max | |w_j|^2 + s_j^2 - r^2 |").toBeLessThan(2e-6);
      opt.dispose();
      k.dispose();
    });
  }

  // Underdamped ball, no noise, one unit w = (0.6, 0), s = 0.8 at rest, g = (-1, 0), h = 0.2,
  // half first kick 0.1: p = Pi (-0.1 g) = Pi((0.1, 0, 0)) with normal (0.6, 0, 0.8):
  // p = (0.1, 0, 0) - 0.06 (0.6, 0, 0.8) = (0.064, 0, -0.048); the slack momentum is nonzero,
  // so the kinetic temperature counts it: (0.064^2 + 0.048^2) / 2 before A and O. Checked here
  // through the diagnostics after the step: |p|^2 + p_s^2 over N = 2 entries.
  it("counts the slack momentum in the kinetic temperature", async () => {
    const k = tf.variable(tf.tensor2d([0.6, 0], [2, 1]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ k }),
      defaults: { h: 0.2, friction: 1, temperature: 0 },
      rule: langevin({}, { noise: zeros, constraints: [ball(1)] }),
    });
    opt.applyGradients({ [k.name]: tf.tensor2d([-1, 0], [2, 1]) });
    const weights = new Map((await opt.getWeights()).map((w) => [w.name, w.tensor]));
    const p = weights.get("k/langevin.momentum")!.dataSync();
    const ps = weights.get("k/langevin.slackMomentum")!.dataSync();
    expect(ps[0]!, "slack momentum").toBeLessThan(-0.01);
    const report = await langevinDiagnostics(opt);
    expect(report.groups[0]!.tensors[0]!.kineticTemperature).toBeCloseTo(
      (p[0]! ** 2 + p[1]! ** 2 + ps[0]! ** 2) / 2,
      7,
    );
    // The projected first kick has |(p, p_s)| = 0.08; O damps it by c = e^{-0.2}, and the two
    // RATTLE half-drifts (0.1 p, an angle of 0.008) turn it, changing its length by O(angle^2).
    expect(Math.hypot(p[0]!, p[1]!, ps[0]!)).toBeCloseTo(0.08 * Math.exp(-0.2), 3);
    opt.dispose();
    k.dispose();
  });
});

describe("orthogonal({ stacked: true })", () => {
  // Three random 4 x 2 frames as one [3, 4, 2] variable, and as three [4, 2] variables; the
  // same gradient (zero noise, so the two runs see the same forces): ten BAOAB steps must move
  // each slice exactly as its own tensor, and keep every slice orthonormal.
  it("moves each slice of a stack as its own matrix, on its own Stiefel manifold", () => {
    const start = tf.tidy(() => tf.randomNormal([3, 4, 2], 0, 1, "float32", 5));
    const stack = tf.variable(start.clone());
    const slices = tf.unstack(start).map((s) => tf.variable(s));
    const rule = (stacked: boolean) =>
      langevin(
        { h: 0.1, friction: 1, temperature: 0.1 },
        { noise: zeros, constraints: [orthogonal({ stacked })] },
      );
    const a = new GroupedOptimizer({ params: fromVariables({ stack }), rule: rule(true) });
    const b = new GroupedOptimizer({
      params: fromVariables(Object.fromEntries(slices.map((v, i) => [`s${i}`, v]))),
      rule: rule(false),
    });
    const force = tf.tidy(() => tf.randomNormal([3, 4, 2], 0, 1, "float32", 6));
    const forces = tf.unstack(force);
    for (let n = 0; n < 10; n++) {
      tf.tidy(() => a.applyGradients({ [stack.name]: force }));
      tf.tidy(() => b.applyGradients(Object.fromEntries(slices.map((v, i) => [v.name, forces[i]!]))));
    }
    const together = tf.stack(slices);
    expectTensorsClose(stack, together, { atol: 1e-5, rtol: 0 }, "stacked vs separate after 10 steps");
    const gram = tf.matMul(stack, stack, true, false); // [3, 2, 2]
    expectTensorsClose(
      gram,
      tf.tile(tf.expandDims(tf.eye(2)), [3, 1, 1]),
      { atol: 1e-5, rtol: 0 },
      "W_i^T W_i = I",
    );
    expect(Math.abs(stack.dataSync()[0]! - start.dataSync()[0]!)).toBeGreaterThan(1e-3); // it moved
    expect(
      tangentDimension(24, { kind: "orthogonal", radius: 1, iterations: 10, matrix: [4, 2], stack: 3 }),
    ).toBe(15);
    a.dispose();
    b.dispose();
    tf.dispose([start, stack, ...slices, force, ...forces, together, gram]);
  });

  it("projects each slice, and needs a rank >= 3 tensor", () => {
    const v = tf.variable(tf.randomNormal([2, 3, 2], 0, 1, "float32", 9));
    projectOntoConstraint(v, orthogonal({ stacked: true }));
    const gram = tf.matMul(v, v, true, false);
    expectTensorsClose(
      gram,
      tf.tile(tf.expandDims(tf.eye(2)), [2, 1, 1]),
      { atol: 1e-5, rtol: 0 },
      "projected slices",
    );
    const m = tf.variable(tf.zeros([4, 2]));
    expect(
      () =>
        new GroupedOptimizer({
          params: fromVariables({ m }),
          rule: langevin({}, { constraints: [orthogonal({ stacked: true })] }),
        }),
    ).toThrow(/orthogonal\(\{ stacked: true \}\) is \[4, ?2\]: a stack of matrices has rank >= 3/);
    tf.dispose([v, gram, m]);
  });
});

import * as tf from "@tensorflow/tfjs";
import { collectParams, fromVariables, GroupedOptimizer } from "@sam/core";
import { expectTensorsClose, optimizerConformance } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { equivalence, subjectFor } from "./__fixtures__/subjects";
import { adaptiveLangevin } from "./adaptiveLangevin";
import { ball, circle, type ConstraintSpec, orthogonal, sphere } from "./constraint";
import { langevin } from "./langevin";
import type { NoiseSource } from "./noiseSource";

const ones: NoiseSource = { kind: "ones", normal: (r) => tf.fill([...r.shape], r.stddev) };

optimizerConformance(
  "adaptiveLangevin",
  subjectFor(
    () => adaptiveLangevin(),
    { h: 0.3, temperature: 1e-7, sigmaA: 1e-4, coupling: 0.05, xi0: 1 },
    {
      equivalences: [
        equivalence(
          "coupling 0, sigmaA 0, xi0 = gamma is BAOAB at temperature 0",
          [() => adaptiveLangevin(), { h: 0.3, temperature: 0, sigmaA: 0, coupling: 0, xi0: 1 }],
          [() => langevin(), { h: 0.3, friction: 1, temperature: 0 }],
        ),
      ],
    },
  ),
);

// Constrained: the conformance vector w lives in a ball of radius 5 (its minimum (1, -2) is
// inside); (w, s) moves on the augmented sphere, so the reduction below exercises the
// constrained sub-steps. Under model.fit the kernels are in the ball.
const inBall = [ball(5, { select: { rank: [1, 8] } })];
optimizerConformance(
  "adaptiveLangevin with a ball constraint",
  subjectFor(
    () => adaptiveLangevin({}, { constraints: inBall }),
    { h: 0.3, temperature: 1e-7, sigmaA: 1e-4, coupling: 0.05, xi0: 1 },
    {
      makeForModel: (model) =>
        new GroupedOptimizer({
          params: collectParams(model),
          defaults: { h: 0.3, temperature: 1e-7, sigmaA: 1e-4, coupling: 0.05, xi0: 1 },
          rule: adaptiveLangevin({}, { constraints: [ball(5)] }),
        }),
      equivalences: [
        equivalence(
          "with the constraint, coupling 0, sigmaA 0, xi0 = gamma is constrained BAOAB at temperature 0",
          [
            () => adaptiveLangevin({}, { constraints: inBall }),
            { h: 0.3, temperature: 0, sigmaA: 0, coupling: 0, xi0: 1 },
          ],
          [() => langevin({}, { constraints: inBall }), { h: 0.3, friction: 1, temperature: 0 }],
        ),
      ],
    },
  ),
);

describe("adaptiveLangevin", () => {
  // Two entries, L = 1/2 |w|^2, w0 = (1, 0), h = 0.2, tau = 0.1, sigmaA = 1 (sqrt(h/2) = 0.3162), epsilon = 2, xi0 = 0.5, R = 1.
  it("runs A C D E D C A after the kick, the second C with the updated xi (hand-derived)", () => {
    const w = tf.variable(tf.tensor1d([1, 0]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { h: 0.2, temperature: 0.1, sigmaA: 1, coupling: 2, xi0: 0.5 },
      rule: adaptiveLangevin({}, { noise: ones }),
    });
    opt.minimize(() => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar);
    const s = Math.sqrt(0.1);
    let p = [-0.1, 0]; // kick h/2 * g
    let x = [1 + 0.1 * p[0]!, 0];
    const e1 = Math.exp(-0.1 * 0.5);
    p = p.map((v) => v * e1 + s);
    const kin = p[0]! ** 2 + p[1]! ** 2;
    const xi = 0.5 + 0.2 * 2 * (kin - 2 * 0.1);
    const e2 = Math.exp(-0.1 * xi);
    p = p.map((v) => (v + s) * e2);
    x = x.map((v, i) => v + 0.1 * p[i]!);
    expectTensorsClose(w, x, { atol: 1e-6, rtol: 1e-6 });
    opt.dispose();
    w.dispose();
  });

  it("keeps one thermostat per tensor, named <path>/adla.xi, starting at xi0", async () => {
    const a = tf.variable(tf.ones([3]));
    const b = tf.variable(tf.ones([2, 2]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ a, b }),
      defaults: { xi0: 0.25 },
      rule: adaptiveLangevin(),
    });
    const names = (await opt.getWeights()).map((w) => w.name);
    expect(names).toEqual(
      expect.arrayContaining(["a/adla.xi", "b/adla.xi", "a/adla.momentum", "b/adla.kinetic"]),
    );
    const xi = (await opt.getWeights()).find((w) => w.name === "b/adla.xi")!.tensor;
    expect(xi.shape).toEqual([]);
    expect(xi.dataSync()[0]).toBeCloseTo(0.25, 7);
    opt.dispose();
    tf.dispose([a, b]);
  });

  // C_{h/2} E_h C_{h/2} with epsilon = 0 and xi = gamma multiply p by e^{-gamma h} = c, which
  // is O_h at tau = 0; D with sigma_A = 0 adds nothing. So the constrained AdLa step is the
  // constrained BAOAB step, for every constraint kind at once (a sign, order or projection
  // slip in either shows here).
  it("with constraints and coupling 0, sigmaA 0, xi0 = gamma, is constrained BAOAB at temperature 0", () => {
    const build = (
      make: (c: ConstraintSpec[]) => import("@sam/core").UpdateRule,
      hyper: Record<string, number>,
    ) => {
      const a = tf.variable(tf.randomNormal([4, 3], 0, 1, "float32", 1));
      const b = tf.variable(tf.randomNormal([3, 5], 0, 1, "float32", 2));
      const c = tf.variable(tf.randomUniform([6], -0.4, 0.4, "float32", 3));
      const d = tf.variable(tf.randomNormal([2, 3], 0, 0.2, "float32", 4));
      const e = tf.variable(tf.randomNormal([2], 0, 1, "float32", 5));
      const opt = new GroupedOptimizer({
        params: fromVariables({ a, b, c, d, e }),
        defaults: hyper,
        rule: make([
          orthogonal({ select: { path: "a" } }),
          sphere(2, { select: { path: "b" } }),
          circle(0.5, { select: { path: "c" } }),
          ball(0.6, { select: { path: "d" } }),
        ]),
      });
      const target = tf.randomNormal([4, 3], 0, 1, "float32", 6);
      const loss = () =>
        tf.addN([
          tf.sum(tf.square(tf.sub(a, target))),
          tf.sum(tf.mul(b, tf.range(0, 15).reshape([3, 5]))),
          tf.sum(tf.square(tf.sub(c, 1))),
          tf.neg(tf.sum(d)),
          tf.sum(tf.square(e)),
        ]) as tf.Scalar;
      return { vars: [a, b, c, d, e], opt, target, loss };
    };
    const x = build((c) => adaptiveLangevin({}, { constraints: c }), {
      h: 0.2,
      temperature: 0,
      sigmaA: 0,
      coupling: 0,
      xi0: 0.7,
    });
    const y = build((c) => langevin({}, { constraints: c }), { h: 0.2, friction: 0.7, temperature: 0 });
    for (let n = 0; n < 20; n++) {
      x.opt.minimize(x.loss);
      y.opt.minimize(y.loss);
    }
    x.vars.forEach((v, i) =>
      expectTensorsClose(v, y.vars[i]!, { atol: 2e-6, rtol: 0 }, `${v.name} after 20 steps`),
    );
    // The constraints were active: d was pushed onto the ball's boundary, c towards 1 > 0.5.
    expect(Math.max(...tf.norm(x.vars[3]!, 2, 0).dataSync())).toBeGreaterThan(0.59);
    expect(Math.max(...x.vars[2]!.dataSync())).toBeGreaterThan(0.45);
    for (const t of [x, y]) {
      t.opt.dispose();
      tf.dispose([...t.vars, t.target]);
    }
  });

  // The thermostat counts tangent degrees of freedom: for sphere(1) on a [3, 2] kernel
  // n_T = 6 - 2 = 4, so after one step xi_1 - xi_0 = h epsilon (p^T p - n_T tau) with the slot
  // kinetic = p^T p / n_T, i.e. xi_1 - xi_0 = h epsilon n_T (kinetic - tau). With N = 6 the
  // identity would read with 6: the two differ by h epsilon (6 - 4) |kinetic - tau| >= 0.008
  // when |kinetic - tau| >= 0.01, far above the 5e-6 of the check.
  it("with a constraint, the E-step counts tangent degrees of freedom", async () => {
    const k = tf.variable(tf.tensor2d([1, 0, 0, 1, 0, 0], [3, 2]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ k }),
      defaults: { h: 0.2, temperature: 0.1, sigmaA: 1, coupling: 2, xi0: 0.5 },
      rule: adaptiveLangevin({}, { noise: ones, constraints: [sphere(1)] }),
    });
    opt.applyGradients({ [k.name]: tf.tensor2d([0, 0, 1, 0, 0, -2], [3, 2]) });
    const w = new Map((await opt.getWeights()).map((x) => [x.name, x.tensor.dataSync()[0]!]));
    const kinetic = w.get("k/adla.kinetic")!;
    const dxi = w.get("k/adla.xi")! - 0.5;
    expect(Math.abs(kinetic - 0.1), "kinetic away from tau").toBeGreaterThan(0.01);
    expect(dxi).toBeCloseTo(0.2 * 2 * 4 * (kinetic - 0.1), 5);
    // The columns stayed on the unit sphere.
    expectTensorsClose(tf.norm(k, 2, 0), [1, 1], { atol: 2e-6, rtol: 0 });
    opt.dispose();
    k.dispose();
  });

  it("rejects a non-positive step and a negative temperature", () => {
    expect(() => adaptiveLangevin({ h: -0.1 })).toThrow(/h of the rule defaults is -0.1/);
    expect(() => adaptiveLangevin({ temperature: -1 })).toThrow(/temperature of the rule defaults is -1/);
  });
});

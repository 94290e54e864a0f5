import * as tf from "@tensorflow/tfjs";
import { collectParams, everyK, fromVariables, GroupedOptimizer, SamConfigError, sgd } from "@sam/core";
import { expectNoLeak, expectTensorsClose, optimizerConformance } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { equivalence, subjectFor } from "./__fixtures__/subjects";
import { circle, orthogonal, sphere } from "./constraint";
import { langevin } from "./langevin";
import type { NoiseSource } from "./noiseSource";
import { toHeavyBall } from "./temperature";

const ones: NoiseSource = { kind: "ones", normal: (r) => tf.fill([...r.shape], r.stddev) };
const h = 0.3;
const friction = 1;
const hb = toHeavyBall({ h, friction }); // lr = h^2 (1 + c) / 2, momentum = c = e^{-0.3}
const hbOba = toHeavyBall({ h, friction }, "OBA"); // lr = h^2

optimizerConformance(
  "langevin (BAOAB)",
  subjectFor(
    () => langevin(),
    { h, friction, temperature: 1e-7 },
    {
      equivalences: [
        equivalence(
          "temperature 0, full first kick is heavy-ball SGD(lr = h^2 (1 + c)/2, momentum = c)",
          [() => langevin({}, { firstKick: "full" }), { h, friction, temperature: 0 }],
          [() => sgd(), { ...hb }],
        ),
      ],
    },
  ),
);

optimizerConformance(
  "langevin (OBA)",
  subjectFor(
    () => langevin({}, { order: "OBA" }),
    { h, friction, temperature: 1e-7 },
    {
      equivalences: [
        equivalence(
          "temperature 0 is SGD(lr = h^2, momentum = c)",
          [() => langevin({}, { order: "OBA" }), { h, friction, temperature: 0 }],
          [() => sgd(), { ...hbOba }],
        ),
      ],
    },
  ),
);

// Constrained: every entry kept in [-5, 5] (the minimum (1, -2) is inside); under model.fit the
// kernels (rank 2, the default selector) are constrained and the biases free.
optimizerConformance(
  "langevin with a circle constraint (c-CoLA-ud)",
  subjectFor(
    () => langevin({}, { constraints: [circle(5, { select: { rank: [1, 8] } })] }),
    {
      h,
      friction,
      temperature: 1e-7,
    },
    {
      makeForModel: (model) =>
        new GroupedOptimizer({
          params: collectParams(model),
          defaults: { h, friction, temperature: 1e-7 },
          rule: langevin({}, { constraints: [circle(5)] }),
        }),
    },
  ),
);

describe("langevin", () => {
  // L = 1/2 w^2, w0 = 1, h = 0.2, gamma = ln 2 / 0.2 (c = 1/2), tau = 1/3 (d = sqrt(tau (1 - c^2)) = 1/2), R = 1.
  // Step 0 (half kick): p = 0 - 0.1*1 = -0.1; w = 1 - 0.01 = 0.99; p = -0.05 + 0.5 = 0.45; w = 0.99 + 0.045 = 1.035.
  // Step 1: g = 1.035; p = 0.45 - 0.2*1.035 = 0.243; w = 1.035 + 0.0243 = 1.0593; p = 0.1215 + 0.5 = 0.6215; w = 1.12145.
  it("matches a hand-derived BAOAB trajectory (half first kick, c and d exact)", () => {
    const w = tf.variable(tf.tensor1d([1]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { h: 0.2, friction: Math.log(2) / 0.2, temperature: 1 / 3 },
      rule: langevin({}, { noise: ones }),
    });
    const loss = () => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar;
    opt.minimize(loss);
    expectTensorsClose(w, [1.035]);
    opt.minimize(loss);
    expectTensorsClose(w, [1.12145], { atol: 1e-6, rtol: 1e-6 });
    opt.dispose();
    w.dispose();
  });

  // The half kick comes from the rule's own clock (slot @all/langevin.step), not from the
  // optimizer's step: everyK(3, langevin()) first updates at optimizer step 2, and that update
  // is the rule's step 0, so it takes the half kick and lands on the hand-derived 1.035 above.
  it("takes its half kick on its own first step under everyK(3, langevin())", async () => {
    const w = tf.variable(tf.tensor1d([1]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { h: 0.2, friction: Math.log(2) / 0.2, temperature: 1 / 3 },
      rule: everyK(3, langevin({}, { noise: ones })),
    });
    const loss = () => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar;
    opt.minimize(loss);
    opt.minimize(loss);
    expectTensorsClose(w, [1]); // steps 0 and 1: not due
    opt.minimize(loss);
    expectTensorsClose(w, [1.035]); // step 2: the rule's step 0, half kick
    for (let n = 0; n < 3; n++) opt.minimize(loss);
    expectTensorsClose(w, [1.12145], { atol: 1e-6, rtol: 1e-6 }); // step 5: the rule's step 1, full kick
    const clock = (await opt.getWeights()).find((x) => x.name === "@all/langevin.step");
    expect(clock?.tensor.dataSync()[0]).toBe(2);
    opt.dispose();
    w.dispose();
  });

  for (const order of ["BAOAB", "OBA"] as const) {
    it(`keeps orthogonal, sphere and circle constraints (CoLA-ud, ${order}) without leaking`, async () => {
      const a = tf.variable(tf.randomNormal([3, 6], 0, 1, "float32", 1));
      const b = tf.variable(tf.randomNormal([4, 5], 0, 1, "float32", 2));
      const c = tf.variable(tf.randomUniform([8, 2], -0.5, 0.5, "float32", 3));
      const bias = tf.variable(tf.zeros([2]));
      const opt = new GroupedOptimizer({
        params: fromVariables({ a, b, c, bias }),
        defaults: { h: 0.1, friction: 1, temperature: 1e-3 },
        rule: langevin(
          {},
          {
            order,
            constraints: [
              orthogonal({ select: { path: "a" } }),
              sphere(2, { select: { path: "b" } }),
              circle(0.3, { select: { path: "c" } }),
            ],
          },
        ),
      });
      const loss = () =>
        tf.addN([
          tf.sum(tf.square(a)),
          tf.sum(b),
          tf.sum(tf.square(c)),
          tf.sum(tf.square(bias)),
        ]) as tf.Scalar;
      await expectNoLeak(() => opt.minimize(loss, true), { label: `langevin ${order} with constraints` });
      const aat = tf.matMul(a, a, false, true); // a is wide (3 x 6): rows orthonormal
      expectTensorsClose(aat, tf.eye(3), { atol: 2e-6, rtol: 0 }, "a a^T");
      expectTensorsClose(tf.norm(b, 2, 0), [2, 2, 2, 2, 2], { atol: 2e-6, rtol: 0 }, "column norms of b");
      expect(tf.max(tf.abs(c)).dataSync()[0]!).toBeLessThanOrEqual(0.3 + 1e-7);
      opt.dispose();
      tf.dispose([a, b, c, bias, aat]);
    });
  }

  it("projects infeasible weights at init, or throws with onInfeasible 'error'", () => {
    const a = tf.variable(tf.randomNormal([5, 3], 0, 1, "float32", 4));
    expect(
      () =>
        new GroupedOptimizer({
          params: fromVariables({ a }),
          rule: langevin({}, { constraints: [orthogonal()], onInfeasible: "error" }),
        }),
    ).toThrow(/orthogonal constraint residual of parameter "a" is .* Call projectOntoConstraint/);
    const opt = new GroupedOptimizer({
      params: fromVariables({ a }),
      rule: langevin({}, { constraints: [orthogonal()] }),
    });
    expectTensorsClose(tf.matMul(a, a, true, false), tf.eye(3), { atol: 2e-6, rtol: 0 }, "a^T a after init");
    opt.dispose();
    a.dispose();
  });

  describe("bad input", () => {
    const w = () => tf.variable(tf.zeros([2, 2]));
    it("non-positive step or friction, negative temperature (defaults)", () => {
      expect(() => langevin({ h: 0 })).toThrow(/h of the rule defaults is 0: it must be a finite number > 0/);
      expect(() => langevin({ friction: 0 })).toThrow(/friction of the rule defaults is 0/);
      expect(() => langevin({ friction: -1 })).toThrow(SamConfigError);
      expect(() => langevin({ temperature: -0.1 })).toThrow(/temperature .* is -0.1/);
    });
    it("non-positive step or friction in a group, checked every step", () => {
      const v = w();
      const opt = new GroupedOptimizer({
        params: fromVariables({ v }),
        defaults: { friction: 0 },
        rule: langevin(),
      });
      expect(() => opt.minimize(() => tf.sum(v) as tf.Scalar)).toThrow(/friction of group "all" is 0/);
      opt.dispose();
      v.dispose();
    });
    it("an orthogonality constraint on a shape that cannot be orthogonal", () => {
      const v = tf.variable(tf.ones([4]));
      expect(
        () =>
          new GroupedOptimizer({
            params: fromVariables({ v }),
            rule: langevin({}, { constraints: [orthogonal({ select: { path: "v" } })] }),
          }),
      ).toThrow(
        /shape of parameter "v" under an orthogonal constraint is \[4\]: a tensor of rank < 2 cannot be orthogonal\. .*sphere\(1\)/,
      );
      v.dispose();
    });
    it("a constraint on a group with no matching tensors", () => {
      const bias = tf.variable(tf.zeros([4]));
      expect(
        () =>
          new GroupedOptimizer({
            params: fromVariables({ bias }),
            rule: langevin({}, { constraints: [circle(1)] }),
          }),
      ).toThrow(/circle constraint on group "all" .* it matches no tensor of the group/);
      bias.dispose();
    });
  });
});

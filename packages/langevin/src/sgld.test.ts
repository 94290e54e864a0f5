import * as tf from "@tensorflow/tfjs";
import { fromVariables, GroupedOptimizer, SamConfigError, sgd } from "@sam/core";
import { expectNoLeak, expectTensorsClose, optimizerConformance } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { equivalence, subjectFor } from "./__fixtures__/subjects";
import { circle, orthogonal, sphere } from "./constraint";
import type { NoiseSource } from "./noiseSource";
import { sgld } from "./sgld";

/** Noise that is all ones, so a step can be derived by hand. */
const ones: NoiseSource = { kind: "ones", normal: (r) => tf.fill([...r.shape], r.stddev) };

optimizerConformance(
  "sgld",
  subjectFor(
    () => sgld(),
    { lr: 0.1, temperature: 1e-7 },
    {
      equivalences: [
        equivalence(
          "temperature 0 is SGD(lr)",
          [() => sgld(), { lr: 0.1, temperature: 0 }],
          [() => sgd(), { lr: 0.1 }],
          "exact",
        ),
      ],
    },
  ),
);

optimizerConformance(
  "sgld with a circle constraint (c-CoLA-od)",
  subjectFor(() => sgld({}, { constraints: [circle(5, { select: { rank: [1, 8] } })] }), {
    lr: 0.1,
    temperature: 1e-7,
  }),
);

describe("sgld", () => {
  // L = 1/2 w^2, w0 = 1, lr 0.1, tau 0.05, R = 1: w1 = 1 - 0.1*1 + sqrt(2*0.1*0.05)*1 = 0.9 + 0.1 = 1.0.
  it("adds sqrt(2 lr tau) R to the gradient step (hand-derived)", () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { lr: 0.1, temperature: 0.05 },
      rule: sgld({}, { noise: ones }),
    });
    opt.minimize(() => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar);
    // w = -2: -2 + 0.2 + 0.1 = -1.7
    expectTensorsClose(w, [1.0, -1.7]);
    opt.dispose();
    w.dispose();
  });

  it("keeps orthogonal, sphere and circle constraints (CoLA-od) without leaking", async () => {
    const a = tf.variable(tf.randomNormal([6, 3], 0, 1, "float32", 1));
    const b = tf.variable(tf.randomNormal([4, 5], 0, 1, "float32", 2));
    const c = tf.variable(tf.randomUniform([8, 2], -0.5, 0.5, "float32", 3));
    const opt = new GroupedOptimizer({
      params: fromVariables({ a, b, c }),
      defaults: { lr: 0.01, temperature: 1e-3 },
      rule: sgld(
        {},
        {
          constraints: [
            orthogonal({ select: { path: "a" } }),
            sphere(2, { select: { path: "b" } }),
            circle(0.3, { select: { path: "c" } }),
          ],
        },
      ),
    });
    const loss = () => tf.add(tf.sum(tf.square(a)), tf.add(tf.sum(b), tf.sum(tf.square(c)))) as tf.Scalar;
    await expectNoLeak(() => opt.minimize(loss, true), { label: "sgld with constraints" });
    const ata = tf.matMul(a, a, true, false);
    expectTensorsClose(ata, tf.eye(3), { atol: 2e-6, rtol: 0 }, "a^T a");
    expectTensorsClose(tf.norm(b, 2, 0), [2, 2, 2, 2, 2], { atol: 2e-6, rtol: 0 }, "column norms of b");
    expect(tf.max(tf.abs(c)).dataSync()[0]!).toBeLessThanOrEqual(0.3 + 1e-7);
    opt.dispose();
    tf.dispose([a, b, c, ata]);
  });

  it("rejects a negative temperature and a non-positive step, naming the value and the fix", () => {
    expect(() => sgld({ temperature: -1 })).toThrow(
      /temperature of the rule defaults is -1: it must be a finite number >= 0\. Temperature is in mean-loss units/,
    );
    expect(() => sgld({ lr: 0 })).toThrow(/lr of the rule defaults is 0: it must be a finite number > 0/);
    expect(() => sgld({ lr: 0 })).toThrow(SamConfigError);
    const w = tf.variable(tf.zeros([2]));
    const opt = new GroupedOptimizer({ params: fromVariables({ w }), defaults: { lr: 0 }, rule: sgld() });
    expect(() => opt.minimize(() => tf.sum(w) as tf.Scalar)).toThrow(/lr of group "all" is 0/);
    opt.dispose();
    w.dispose();
  });

  it("rejects an unknown hyperparameter name", () => {
    expect(() => sgld({ temprature: 1 } as never)).toThrow(/"temprature"/);
  });
});

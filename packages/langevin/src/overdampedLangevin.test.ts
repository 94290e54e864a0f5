import * as tf from "@tensorflow/tfjs";
import { fromVariables, GroupedOptimizer, sgd } from "@sam/core";
import { expectTensorsClose, optimizerConformance } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { equivalence, subjectFor } from "./__fixtures__/subjects";
import type { NoiseSource } from "./noiseSource";
import { overdampedLangevin } from "./overdampedLangevin";

const ones: NoiseSource = { kind: "ones", normal: (r) => tf.fill([...r.shape], r.stddev) };

optimizerConformance(
  "overdampedLangevin",
  subjectFor(
    () => overdampedLangevin(),
    { h: 0.5, temperature: 1e-7 },
    {
      equivalences: [
        equivalence(
          "temperature 0, full first kick is SGD(lr = h^2 / 2)",
          [() => overdampedLangevin({}, { firstKick: "full" }), { h: 0.5, temperature: 0 }],
          [() => sgd(), { lr: 0.125 }],
        ),
      ],
    },
  ),
);

describe("overdampedLangevin", () => {
  // L = 1/2 w^2, w0 = 1, h = 0.2, tau = 0.25 (sqrt(tau) = 0.5), R = 1:
  // step 0: p = -0.1, w = 0.99, p = 0.5, w = 1.04;  step 1: p = 0.5 - 0.208 = 0.292, w = 1.0692, p = 0.5, w = 1.1192.
  it("draws a fresh momentum sqrt(tau) R each step (Leimkuhler-Matthews limit, hand-derived)", () => {
    const w = tf.variable(tf.tensor1d([1]));
    const opt = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { h: 0.2, temperature: 0.25 },
      rule: overdampedLangevin({}, { noise: ones }),
    });
    const loss = () => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar;
    opt.minimize(loss);
    expectTensorsClose(w, [1.04]);
    opt.minimize(loss);
    expectTensorsClose(w, [1.1192]);
    opt.dispose();
    w.dispose();
  });

  it("has no friction to set", () => {
    expect(() => overdampedLangevin({ friction: 1 } as never)).toThrow(/"friction"/);
  });
});

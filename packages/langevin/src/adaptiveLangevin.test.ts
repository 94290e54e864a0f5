import * as tf from "@tensorflow/tfjs";
import { fromVariables, GroupedOptimizer } from "@sam/core";
import { expectTensorsClose, optimizerConformance } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { equivalence, subjectFor } from "./__fixtures__/subjects";
import { adaptiveLangevin } from "./adaptiveLangevin";
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

  it("rejects a non-positive step and a negative temperature", () => {
    expect(() => adaptiveLangevin({ h: -0.1 })).toThrow(/h of the rule defaults is -0.1/);
    expect(() => adaptiveLangevin({ temperature: -1 })).toThrow(/temperature of the rule defaults is -1/);
  });
});

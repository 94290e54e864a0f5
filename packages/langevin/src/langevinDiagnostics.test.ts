import * as tf from "@tensorflow/tfjs";
import { fromVariables, GroupedOptimizer } from "@sam/core";
import { describe, expect, it } from "vitest";
import { adlalaRule } from "./adlala";
import { orthogonal } from "./constraint";
import { diagnosticsCallback, langevinDiagnostics } from "./langevinDiagnostics";
import type { NoiseSource } from "./noiseSource";

const zeros: NoiseSource = { kind: "zeros", normal: (r) => tf.zeros([...r.shape]) };

describe("langevinDiagnostics", () => {
  // No noise, L = sum(a) + sum(b): every gradient entry is 1. Step 0 (half kick h/2 = 0.05):
  // thermostatted a: p = -0.05 e^{-0.05 xi0} ... ; Langevin b (orthogonal 3x2): p projected on the tangent.
  it("reports kinetic temperature, thermostat values and constraint residuals per tensor", async () => {
    const a = tf.variable(tf.zeros([4]));
    const b = tf.variable(
      tf.tensor2d([
        [1, 0],
        [0, 1],
        [0, 0],
      ]),
    );
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ a, b }),
      groups: [
        {
          label: "first",
          select: { path: "a" },
          hyper: { h: 0.1, temperature: 0.5, sigmaA: 0, coupling: 1, xi0: 0.2 },
        },
        { label: "rest", select: { path: "b" }, hyper: { h: 0.1, temperature: 0.01, friction: 1 } },
      ],
      rule: adlalaRule({ noise: zeros, restConstraints: [orthogonal()] }),
    });
    optimizer.minimize(() => tf.add(tf.sum(a), tf.sum(b)) as tf.Scalar);
    const report = await langevinDiagnostics(optimizer);
    expect(report.step).toBe(1);
    const [first, rest] = report.groups;
    expect(first!.rule).toBe("adla");
    expect(first!.temperature).toBe(0.5);
    const ta = first!.tensors[0]!;
    // p after kick and C: -0.05 e^{-0.01}; E sees p^2 = 0.0025 e^{-0.02}; xi = 0.2 + 0.1 (4 p^2 - 4 * 0.5).
    const p1 = -0.05 * Math.exp(-0.05 * 0.2);
    const xi = 0.2 + 0.1 * (4 * p1 * p1 - 2);
    expect(ta.kineticTemperatureAtThermostat).toBeCloseTo(p1 * p1, 7);
    expect(ta.thermostat).toBeCloseTo(xi, 6);
    expect(ta.kineticTemperature).toBeCloseTo((p1 * Math.exp(-0.05 * xi)) ** 2, 7);
    const tb = rest!.tensors[0]!;
    expect(tb.constraint).toBe("orthogonal");
    expect(tb.constraintResidual).toBeLessThan(1e-6);
    expect(tb.kineticTemperature).toBeGreaterThan(0);
    optimizer.dispose();
    tf.dispose([a, b]);
  });

  it("diagnosticsCallback reports every N batches", async () => {
    const a = tf.variable(tf.zeros([2]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ a }),
      groups: [
        { label: "first", select: { path: "a" } },
        { label: "rest", select: { all: true } },
      ],
      allowEmpty: true,
      rule: adlalaRule(),
    });
    const reports: number[] = [];
    const callback = diagnosticsCallback(optimizer, { every: 2, onReport: (r) => reports.push(r.step) });
    for (let i = 0; i < 5; i++) {
      optimizer.minimize(() => tf.sum(tf.square(a)) as tf.Scalar);
      await callback.onBatchEnd(i);
    }
    expect(reports).toEqual([2, 4]);
    optimizer.dispose();
    a.dispose();
  });
});

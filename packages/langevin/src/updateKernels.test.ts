import * as tf from "@tensorflow/tfjs";
import { fromVariables, GroupedOptimizer, type UpdateRule } from "@sam/core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { adaptiveLangevin } from "./adaptiveLangevin";
import { langevin } from "./langevin";
import type { NoiseSource } from "./noiseSource";
import {
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
  adaptiveLangevinUpdate,
  UNDERDAMPED_LANGEVIN_UPDATE,
  underdampedUpdate,
} from "./updateKernels";

const NAMES = [UNDERDAMPED_LANGEVIN_UPDATE, ADAPTIVE_LANGEVIN_FIRST_HALF, ADAPTIVE_LANGEVIN_SECOND_HALF];

/** Every call of a stand-in kernel: its name, input names and attributes. */
const calls: { name: string; inputs: string[]; attrs: Record<string, unknown> }[] = [];

/**
 * Registers stand-ins for the three kernels on cpu that compute what the kernels compute (each
 * float32 operation rounded with Math.fround) and record each call, so the dispatch can be
 * checked here, where @sam/backend is not installed.
 */
function registerStandIns(): void {
  const read = (t: tf.TensorInfo, backend: unknown) =>
    (backend as { readSync(id: object): Float32Array }).readSync(t.dataId);
  const make = (backend: unknown, values: Float32Array, shape: number[]) =>
    (backend as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(
      shape,
      "float32",
      values,
    );
  const f = Math.fround;
  tf.registerKernel({
    kernelName: UNDERDAMPED_LANGEVIN_UPDATE,
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls.push({ name: UNDERDAMPED_LANGEVIN_UPDATE, inputs: Object.keys(inputs), attrs: { ...attrs } });
      const [w, p, g, r] = (["w", "p", "g", "r"] as const).map((k) => read(inputs[k]!, backend));
      const a = attrs as { order: string; kick: number; c: number; half: number; h: number };
      const wOut = new Float32Array(w!.length);
      const pOut = new Float32Array(w!.length);
      for (let i = 0; i < w!.length; i++) {
        const p1 = a.order === "BAOAB" ? f(p![i]! - f(g![i]! * f(a.kick))) : 0;
        pOut[i] =
          a.order === "BAOAB"
            ? f(f(p1 * f(a.c)) + r![i]!)
            : f(f(f(p![i]! * f(a.c)) + r![i]!) - f(g![i]! * f(a.h)));
        wOut[i] =
          a.order === "BAOAB"
            ? f(w![i]! + f(f(p1 + pOut[i]!) * f(a.half)))
            : f(w![i]! + f(pOut[i]! * f(a.h)));
      }
      return [make(backend, wOut, inputs.w!.shape), make(backend, pOut, inputs.w!.shape)];
    },
  });
  tf.registerKernel({
    kernelName: ADAPTIVE_LANGEVIN_FIRST_HALF,
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls.push({ name: ADAPTIVE_LANGEVIN_FIRST_HALF, inputs: Object.keys(inputs), attrs: { ...attrs } });
      const [p, g, r, decay] = (["p", "g", "r", "decay"] as const).map((k) => read(inputs[k]!, backend));
      const kick = f((attrs as { kick: number }).kick);
      const out = p!.map((pi, i) => f(f(f(pi - f(g![i]! * kick)) * decay![0]!) + r![i]!));
      return make(backend, out, inputs.p!.shape);
    },
  });
  tf.registerKernel({
    kernelName: ADAPTIVE_LANGEVIN_SECOND_HALF,
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls.push({ name: ADAPTIVE_LANGEVIN_SECOND_HALF, inputs: Object.keys(inputs), attrs: { ...attrs } });
      const [w, p, g, pm, r, decay] = (["w", "p", "g", "pm", "r", "decay"] as const).map((k) =>
        read(inputs[k]!, backend),
      );
      const { kick, half } = attrs as { kick: number; half: number };
      const pOut = pm!.map((v, i) => f(f(v + r![i]!) * decay![0]!));
      const wOut = w!.map((v, i) => f(v + f(f(f(p![i]! - f(g![i]! * f(kick))) + pOut[i]!) * f(half))));
      return [make(backend, wOut, inputs.w!.shape), make(backend, pOut, inputs.w!.shape)];
    },
  });
}

function unregisterStandIns(): void {
  for (const name of NAMES) if (tf.getKernel(name, "cpu")) tf.unregisterKernel(name, "cpu");
}

/** Noise of 0.01 (i + 1) k, so every entry and step differs. */
const ramp: NoiseSource = {
  kind: "ramp",
  normal: (r) =>
    tf
      .mul(
        tf.add(
          tf.range(
            0,
            r.shape.reduce((a, b) => a * b, 1),
          ),
          1,
        ),
        0.01 * r.stddev,
      )
      .reshape([...r.shape]),
};

/** The weights and momenta of three steps of `rule` on L = sum(w^2) / 2 + sum(b) from fixed weights. */
async function trajectory(makeRule: () => UpdateRule) {
  const w = tf.variable(tf.tensor2d([0.5, -1, 2, 0.25, -0.75, 1.5], [2, 3]));
  const b = tf.variable(tf.tensor1d([0.1, -0.2, 0.3]));
  const optimizer = new GroupedOptimizer({ params: fromVariables([w, b]), rule: makeRule() });
  const loss = () => tf.add(tf.mul(tf.sum(tf.square(w)), 0.5), tf.sum(b)) as tf.Scalar;
  for (let s = 0; s < 3; s++) optimizer.minimize(loss);
  const out = [w, b].map((v) => Array.from(v.dataSync()));
  // slot values in order (their names carry variable ids, which differ between runs)
  const slots = (await optimizer.getWeights()).map((s) => Array.from(s.tensor.dataSync()));
  optimizer.dispose();
  tf.dispose([w, b]);
  return { weights: out, slots };
}

describe("the Langevin update kernels: dispatch", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  afterEach(() => {
    unregisterStandIns();
    calls.length = 0;
  });

  const rules = {
    BAOAB: () => langevin({ h: 0.1, friction: 1, temperature: 1e-3 }, { noise: ramp }),
    OBA: () => langevin({ h: 0.1, friction: 1, temperature: 1e-3 }, { noise: ramp, order: "OBA" }),
    adaptive: () => adaptiveLangevin({ h: 0.25, temperature: 1e-3, sigmaA: 0.1 }, { noise: ramp }),
  };

  for (const [label, rule] of Object.entries(rules)) {
    it(`${label}: a registered kernel gives the trajectory of the tfjs composition, bit for bit`, async () => {
      const portable = await trajectory(rule);
      expect(calls).toHaveLength(0);
      registerStandIns();
      const fused = await trajectory(rule);
      expect(fused).toEqual(portable);
      // 3 steps x 2 tensors, one call per tensor (adaptive: one per half)
      expect(calls).toHaveLength(label === "adaptive" ? 12 : 6);
    });
  }

  it("passes the step's coefficients and inputs by name (BAOAB's first step: the half kick)", async () => {
    registerStandIns();
    await trajectory(rules.BAOAB);
    const first = calls[0]!;
    expect(first.name).toBe(UNDERDAMPED_LANGEVIN_UPDATE);
    expect(first.inputs).toEqual(["w", "p", "g", "r"]);
    expect(first.attrs).toEqual({ order: "BAOAB", kick: 0.05, c: Math.exp(-0.1), half: 0.05 });
    expect(calls[2]!.attrs.kick).toBe(0.1); // later steps: the full kick
    calls.length = 0;
    await trajectory(rules.OBA);
    expect(calls[0]!.attrs).toEqual({ order: "OBA", h: 0.1, c: Math.exp(-0.1) });
    calls.length = 0;
    await trajectory(rules.adaptive);
    expect(calls.slice(0, 2).map((c) => [c.name, c.inputs, c.attrs])).toEqual([
      [ADAPTIVE_LANGEVIN_FIRST_HALF, ["p", "g", "r", "decay"], { kick: 0.125 }],
      [ADAPTIVE_LANGEVIN_SECOND_HALF, ["w", "p", "g", "pm", "r", "decay"], { kick: 0.125, half: 0.125 }],
    ]);
  });

  it("keeps the tfjs composition without noise or friction (temperature 0; the overdamped limit)", async () => {
    registerStandIns();
    await trajectory(() => langevin({ h: 0.1, friction: 1, temperature: 0 }));
    await trajectory(() => adaptiveLangevin({ h: 0.25, sigmaA: 0 }));
    expect(calls).toHaveLength(0);
    tf.tidy(() => {
      const one = tf.ones([2]);
      underdampedUpdate("BAOAB", one, one, one, one, { h: 0.1, kick: 0.1, c: 0 });
    });
    expect(calls).toHaveLength(0);
  });

  it("hand-derived: BAOAB and Adaptive Langevin on one entry", () => {
    const t = (v: number) => tf.tensor1d([v]);
    const [w, p] = tf.tidy(() =>
      underdampedUpdate("BAOAB", t(1), t(0.5), t(2), t(0.25), { h: 0.5, kick: 0.5, c: 0.5 }),
    );
    // p1 = 0.5 - 0.5 * 2 = -0.5;  p2 = 0.5 * -0.5 + 0.25 = 0;  w' = 1 + 0.25 * (-0.5 + 0) = 0.875
    expect([w!.dataSync()[0], p!.dataSync()[0]]).toEqual([0.875, 0]);
    // p1 = 1 - 0.5 * 1 = 0.5;  pm = 0.5 * 0.5 + 0.25 = 0.5;  thermostat gives decay' = 0.5, r2 = 0.5:
    // p2 = (0.5 + 0.5) * 0.5 = 0.5;  w' = 2 + 0.25 * (0.5 + 0.5) = 2.25
    let seen = Number.NaN;
    const [w2, p2] = tf.tidy(() =>
      adaptiveLangevinUpdate(t(2), t(1), t(1), 0.5, 0.25, tf.scalar(0.5), t(0.25), (pm) => {
        seen = pm.dataSync()[0]!;
        return { decay: tf.scalar(0.5), r: t(0.5) };
      }),
    );
    expect(seen).toBe(0.5);
    expect([w2!.dataSync()[0], p2!.dataSync()[0]]).toEqual([2.25, 0.5]);
    tf.dispose([w!, p!, w2!, p2!]);
  });
});

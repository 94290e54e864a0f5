import { fromVariables, GroupedOptimizer, seedFor } from "@sam/core";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { adaptiveLangevin } from "./adaptiveLangevin";
import { langevin } from "./langevin";
import "./registerLangevinRules";
import { defaultNoise, fastNoise, gaussianArray, NOISE_STREAMS, tfNoise } from "./noiseSource";
import { sgld } from "./sgld";

// One SGLD step on a zero loss moves w by exactly sqrt(2 lr tau) R: with lr 0.01 and tau 0.5
// the draw R scaled by 0.1, R seeded by seedFor(optimizer seed 7, step 0, param 0, stream R).
function firstSgldStep(options: Parameters<typeof sgld>[1]): Float32Array {
  const w = tf.variable(tf.zeros([6]));
  const optimizer = new GroupedOptimizer({
    params: fromVariables({ w }),
    defaults: { lr: 0.01, temperature: 0.5 },
    rule: sgld({}, options),
    seed: 7,
  });
  optimizer.minimize(() => tf.mul(0, tf.sum(w)) as tf.Scalar);
  const moved = w.dataSync() as Float32Array;
  optimizer.dispose();
  w.dispose();
  return moved;
}

describe("noise sources", () => {
  // importing tfjs-backend-wasm (for one test below) makes it the highest-priority backend
  beforeAll(async () => {
    await tf.setBackend(process.env.SAM_BACKEND ?? "cpu");
  });
  const seed = seedFor(7, 0, 0, NOISE_STREAMS.R);

  it("draws from fastNoise when a rule names no source", () => {
    expect(defaultNoise).toBe(fastNoise);
    expect(Array.from(firstSgldStep({}))).toEqual(Array.from(gaussianArray(6, seed, 0.1)));
    for (const rule of [sgld(), langevin(), adaptiveLangevin()]) expect(rule.getConfig().noise).toBe("fast");
  });

  it("fastNoise on wasm (the draws passed as a view of the ziggurat's memory) equals gaussianArray", async () => {
    const previous = tf.getBackend();
    await tf.setBackend("wasm");
    try {
      const request = (shape: number[], seed: number, stddev: number) =>
        ({ shape, seed, stddev, role: "R", step: 0 }) as unknown as Parameters<typeof fastNoise.normal>[0];
      const a = fastNoise.normal(request([3, 5], 11, 0.5));
      const b = fastNoise.normal(request([40], 12, 2)); // a later draw must not change a
      expect(Array.from(a.dataSync())).toEqual(Array.from(gaussianArray(15, 11, 0.5)));
      expect(Array.from(b.dataSync())).toEqual(Array.from(gaussianArray(40, 12, 2)));
      tf.dispose([a, b]);
    } finally {
      await tf.setBackend(previous);
    }
  });

  it("draws tf.randomNormal's numbers with tfNoise", () => {
    const expected = tf.tidy(() => Array.from(tf.randomNormal([6], 0, 0.1, "float32", seed).dataSync()));
    expect(Array.from(firstSgldStep({ noise: tfNoise }))).toEqual(expected);
    expect(expected).not.toEqual(Array.from(firstSgldStep({})));
  });

  it("rebuilds each rule with the source its config names, and the default when it names none", () => {
    const w = tf.variable(tf.zeros([2]));
    const params = fromVariables({ w });
    const saved = (noise?: typeof tfNoise) =>
      JSON.parse(
        JSON.stringify(
          new GroupedOptimizer({ params, rule: langevin({}, noise ? { noise } : {}) }).getConfig(),
        ),
      );
    const withTf = saved(tfNoise);
    expect(GroupedOptimizer.load(withTf, params).getConfig()).toEqual(withTf);
    const withoutNoise = saved();
    for (const group of withoutNoise.groups ?? []) delete group.rule?.noise;
    delete withoutNoise.rule?.noise;
    expect(JSON.stringify(withoutNoise)).not.toContain('"noise"');
    expect(JSON.stringify(GroupedOptimizer.load(withoutNoise, params).getConfig())).toContain(
      '"noise":"fast"',
    );
    w.dispose();
  });
});

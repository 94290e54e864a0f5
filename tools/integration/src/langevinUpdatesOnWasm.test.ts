import * as tf from "@tensorflow/tfjs";
import {
  ADAPTIVE_LANGEVIN_FIRST_HALF as BACKEND_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF as BACKEND_SECOND_HALF,
  registerWasmTrainingKernels,
  setupBackend,
  UNDERDAMPED_LANGEVIN_UPDATE as BACKEND_UNDERDAMPED,
} from "@sam/backend";
import { collectParams, GroupedOptimizer, type UpdateRule } from "@sam/core";
import {
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
  adaptiveLangevin,
  adlala,
  langevin,
  UNDERDAMPED_LANGEVIN_UPDATE,
} from "@sam/langevin";
import { mlp } from "@sam/models";
import { expectNoLeak } from "@sam/testing";
import { beforeAll, describe, expect, it } from "vitest";

// @sam/langevin's BAOAB, OBA and Adaptive Langevin steps make one kernel call per tensor where
// @sam/backend registered the update kernels (wasm): checked here, where both packages are.
const NAMES = [UNDERDAMPED_LANGEVIN_UPDATE, ADAPTIVE_LANGEVIN_FIRST_HALF, ADAPTIVE_LANGEVIN_SECOND_HALF];

/** Weights, optimizer slots (in order) and losses of 4 steps of a fresh optimizer on a fresh MLP 6-8-8-3. */
async function trajectory(makeOptimizer: (model: tf.LayersModel) => tf.Optimizer) {
  const model = mlp({ inputDim: 6, widths: [8, 8], outputDim: 3, seed: 2 }) as unknown as tf.LayersModel;
  const x = tf.randomNormal([5, 6], 0, 1, "float32", 1);
  const y = tf.oneHot(tf.tensor1d([0, 2, 1, 0, 1], "int32"), 3);
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const optimizer = makeOptimizer(model);
  const losses: number[] = [];
  for (let s = 0; s < 4; s++) {
    const l = optimizer.minimize(loss, true)!;
    losses.push(l.dataSync()[0]!);
    l.dispose();
  }
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  const slots = (await optimizer.getWeights()).map((s) => Array.from(s.tensor.dataSync()));
  optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return { losses, weights, slots };
}

const optimizers: Record<string, (model: tf.LayersModel) => tf.Optimizer> = {
  BAOAB: (model) =>
    new GroupedOptimizer({
      params: collectParams(model as never),
      defaults: { h: 0.1, friction: 1, temperature: 1e-3 },
      rule: langevin() as UpdateRule,
    }),
  OBA: (model) =>
    new GroupedOptimizer({
      params: collectParams(model as never),
      defaults: { h: 0.1, friction: 1, temperature: 1e-3 },
      rule: langevin({}, { order: "OBA" }) as UpdateRule,
    }),
  "Adaptive Langevin": (model) =>
    new GroupedOptimizer({
      params: collectParams(model as never),
      rule: adaptiveLangevin({ h: 0.25, sigmaA: 0.05 }) as UpdateRule,
    }),
  AdLaLa: (model) => adlala({ params: collectParams(model as never), h: 0.25 }),
};

describe("@sam/langevin's updates on @sam/backend's wasm kernels", () => {
  let previous = "";
  beforeAll(async () => {
    await tf.ready();
    previous = tf.getBackend();
    await setupBackend({ prefer: "wasm" });
    return () => tf.setBackend(previous);
  });

  it("are registered on wasm under the names @sam/langevin looks for", () => {
    expect(tf.getBackend()).toBe("wasm");
    expect([BACKEND_UNDERDAMPED, BACKEND_FIRST_HALF, BACKEND_SECOND_HALF]).toEqual(NAMES);
    for (const name of NAMES) expect(tf.getKernel(name, "wasm"), name).toBeDefined();
  });

  for (const [label, make] of Object.entries(optimizers)) {
    it(`${label}: the same trajectory bit for bit as without the kernels`, async () => {
      const fused = await trajectory(make);
      for (const name of NAMES) tf.unregisterKernel(name, "wasm");
      try {
        const composed = await trajectory(make);
        expect(fused).toEqual(composed);
        expect(fused.losses.every(Number.isFinite)).toBe(true);
      } finally {
        registerWasmTrainingKernels({ only: NAMES as never });
      }
      for (const name of NAMES) expect(tf.getKernel(name, "wasm"), name).toBeDefined();
    });
  }

  it("is one kernel call per tensor (BAOAB) and one per half (Adaptive Langevin), with fewer kernels a step", async () => {
    const model = mlp({ inputDim: 6, widths: [8], outputDim: 3, seed: 2 }) as unknown as tf.LayersModel;
    const x = tf.randomNormal([4, 6], 0, 1, "float32", 1);
    const y = tf.oneHot(tf.tensor1d([0, 2, 1, 0], "int32"), 3);
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
    const count = async (optimizer: tf.Optimizer) => {
      optimizer.minimize(loss); // warm-up: slots
      // every kernel call (kernelNames would list each name once)
      const names = (
        await tf.profile(() => {
          optimizer.minimize(loss);
        })
      ).kernels.map((k) => k.name);
      optimizer.dispose();
      return names;
    };
    const baoab = await count(optimizers.BAOAB!(model));
    expect(baoab.filter((n) => n === UNDERDAMPED_LANGEVIN_UPDATE)).toHaveLength(4); // 2 kernels, 2 biases
    const adaptive = await count(optimizers["Adaptive Langevin"]!(model));
    expect(adaptive.filter((n) => n === ADAPTIVE_LANGEVIN_FIRST_HALF)).toHaveLength(4);
    expect(adaptive.filter((n) => n === ADAPTIVE_LANGEVIN_SECOND_HALF)).toHaveLength(4);
    for (const name of NAMES) tf.unregisterKernel(name, "wasm");
    let composed: string[];
    try {
      composed = await count(optimizers.BAOAB!(model));
    } finally {
      registerWasmTrainingKernels({ only: NAMES as never });
    }
    // 7 tfjs kernels per tensor become 1
    expect(composed.length - baoab.length).toBe(4 * 6);
    model.dispose();
    tf.dispose([x, y]);
  });

  it("leaks no tensor", async () => {
    const model = mlp({ inputDim: 6, widths: [8], outputDim: 3, seed: 2 }) as unknown as tf.LayersModel;
    const x = tf.randomNormal([4, 6], 0, 1, "float32", 1);
    const y = tf.oneHot(tf.tensor1d([0, 2, 1, 0], "int32"), 3);
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
    for (const make of [optimizers.OBA!, optimizers.AdLaLa!]) {
      const optimizer = make(model);
      optimizer.minimize(loss);
      await expectNoLeak(() => {
        optimizer.minimize(loss);
      });
      optimizer.dispose();
    }
    model.dispose();
    tf.dispose([x, y]);
  });
});

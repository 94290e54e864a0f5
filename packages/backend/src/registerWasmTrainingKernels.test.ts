import * as tf from "@tensorflow/tfjs";
import { cifarResNet } from "@sam/models";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackends, relativeError, values } from "../test/compareBackends";
import { registerTrainingGradients, unregisterTrainingGradients } from "./registerTrainingGradients";
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from "./registerWasmTrainingKernels";

describe("registerWasmTrainingKernels", () => {
  beforeAll(initBackends);

  it("is idempotent and reversible", () => {
    expect(registerWasmTrainingKernels()).toEqual([]);
    const ours = tf.getKernel("Tile", "wasm");
    unregisterWasmTrainingKernels();
    expect(tf.getKernel("Tile", "wasm")).not.toBe(ours);
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeUndefined();
    expect(registerWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    expect(registerWasmTrainingKernels()).toEqual([]);
  });

  it("rejects an unknown kernel name with the list of known ones", () => {
    expect(() => registerWasmTrainingKernels({ only: ["Conv3D" as never] })).toThrow(
      /'Conv3D'.*Conv2DBackpropFilter/,
    );
  });

  it("trains a CIFAR ResNet-20 on wasm (kernels + registerTrainingGradients) with the same gradients as cpu (batch 2, 16x16)", () => {
    tf.setBackend("cpu");
    const model = cifarResNet({
      depth: 20,
      numClasses: 10,
      inputShape: [16, 16, 3],
      seed: 7,
    }) as unknown as tf.LayersModel;
    const xv = values(2 * 16 * 16 * 3, 41);
    const labels = [3, 8];
    const gradsOn = (backend: "cpu" | "wasm") => {
      tf.setBackend(backend);
      const x = tf.tensor4d(xv, [2, 16, 16, 3]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), 10));
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      );
      const out = {
        loss: value.dataSync()[0]!,
        grads: new Map(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array])),
      };
      tf.dispose([x, y, value, grads]);
      return out;
    };
    // Reference: cpu with tfjs-core's own gradients; wasm with this package's kernels and gradients.
    unregisterTrainingGradients();
    const cpu = gradsOn("cpu");
    registerTrainingGradients();
    const wasm = gradsOn("wasm");
    gradsOn("wasm"); // tfjs-layers fills caches on the first calls of a backend
    const before = tf.memory().numTensors;
    gradsOn("wasm");
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5 * Math.abs(cpu.loss) + 1e-6);
    expect(wasm.grads.size).toBe(cpu.grads.size);
    expect(cpu.grads.size).toBeGreaterThan(60);
    let worst = 0;
    for (const [name, g] of cpu.grads) worst = Math.max(worst, relativeError(wasm.grads.get(name)!, g));
    expect(worst).toBeLessThan(1e-4);
    tf.setBackend("wasm");
  });
});

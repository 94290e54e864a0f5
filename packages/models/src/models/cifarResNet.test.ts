import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { getSamMeta } from "../samMeta";
import { cifarResNet } from "./cifarResNet";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Trainable parameter count of the option-B CIFAR ResNet, derived by hand from the architecture. */
function expectedTrainable(depth: number, w: number, classes: number, inC = 3): number {
  const n = (depth - 2) / 6;
  const bn = (c: number) => 2 * c;
  let total = 9 * inC * w + bn(w);
  let cin = w;
  for (let s = 0; s < 3; s++) {
    const c = w * 2 ** s;
    for (let b = 0; b < n; b++) {
      total += 9 * cin * c + bn(c) + 9 * c * c + bn(c);
      if (cin !== c) total += cin * c + bn(c);
      cin = c;
    }
  }
  return total + cin * classes + classes;
}

function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

describe("cifarResNet", () => {
  it("ResNet-20 has 272,474 trainable parameters (paper's 269,722 + 2,752 in projections)", () => {
    const model = cifarResNet({ depth: 20 });
    expect(expectedTrainable(20, 16, 10)).toBe(272_474);
    expect(trainableCount(model)).toBe(272_474);
    const bnLayers = model.layers.filter((l) => l.getClassName() === "BatchNormalization");
    const movingStats = bnLayers.reduce((s, l) => s + 2 * (l.getWeights()[0]!.shape[0] as number), 0);
    expect(model.countParams()).toBe(272_474 + movingStats);
    expect(model.countParams()).toBe(274_042);
    model.dispose();
  });

  it("ResNet-20 has 19 + 2 BatchNorm layers, so 2 x 21 = 42 norm tensors (gamma, beta)", () => {
    const model = cifarResNet({ depth: 20 });
    const bnLayers = model.layers.filter((l) => l.getClassName() === "BatchNormalization");
    expect(bnLayers.length).toBe(21); // stem + 2 per block x 9 + 2 projections
    const normTensors = model.trainableWeights.filter((w) => /\/(gamma|beta)$/.test(w.originalName));
    expect(normTensors.length).toBe(2 * bnLayers.length);
    // Every BN layer owns 2 trainable + 2 moving statistics.
    expect(model.weights.length - model.trainableWeights.length).toBe(2 * bnLayers.length);
    model.dispose();
  });

  it.each([32, 56])("ResNet-%i matches the hand-derived count", (depth) => {
    const model = cifarResNet({ depth, numClasses: 100 });
    expect(trainableCount(model)).toBe(expectedTrainable(depth, 16, 100));
    model.dispose();
  });

  it("declares stable names, blocks and a head", () => {
    const model = cifarResNet({ depth: 20, inputShape: [8, 8, 3] });
    const meta = getSamMeta(model);
    expect(meta.blocks).toEqual([
      "stem",
      ...[1, 2, 3].flatMap((s) => [1, 2, 3].map((b) => `stage${s}_block${b}`)),
      "head",
    ]);
    expect(meta.head).toEqual(["head"]);
    for (const layer of model.layers) {
      expect(layer.name).not.toContain("/");
      expect(meta.blockOfLayer[layer.name]).toBeTypeOf("number");
    }
    expect(meta.blocks[meta.blockOfLayer.stage2_block1_shortcut_conv!]).toBe("stage2_block1");
    expect(meta.blocks[meta.blockOfLayer.stem_bn!]).toBe("stem");
    expect(model.getLayer("stage2_block1_conv1").getWeights()[0]!.shape).toEqual([3, 3, 16, 32]);
    const paths = model.weights.map((w) => w.originalName);
    expect(paths).toContain("stage3_block3_bn2/moving_variance");
    expect(paths).toContain("head/kernel");
    expect(new Set(paths).size).toBe(paths.length);
    model.dispose();
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const a = cifarResNet({ depth: 20, inputShape: [8, 8, 3], seed: 3 });
    const b = cifarResNet({ depth: 20, inputShape: [8, 8, 3], seed: 3 });
    const c = cifarResNet({ depth: 20, inputShape: [8, 8, 3], seed: 4 });
    const k = (m: tf.LayersModel) => m.getLayer("stage1_block2_conv1").getWeights()[0]!.dataSync();
    expect(Array.from(k(a))).toEqual(Array.from(k(b)));
    expect(Array.from(k(a))).not.toEqual(Array.from(k(c)));
    // Two convs of one model are not initialized identically.
    expect(Array.from(k(a)).slice(0, 8)).not.toEqual(
      Array.from(a.getLayer("stage1_block2_conv2").getWeights()[0]!.dataSync()).slice(0, 8),
    );
    for (const m of [a, b, c]) m.dispose();
  });

  it("rejects depths that are not 6n + 2", () => {
    expect(() => cifarResNet({ depth: 18 })).toThrow(/depth must be 6n \+ 2.*got 18/);
    expect(() => cifarResNet({ depth: 20, seed: 1.5 })).toThrow(/seed must be an integer/);
  });

  it("trains a few steps on 8x8 inputs: loss decreases, BN moving statistics move", () => {
    const model = cifarResNet({ depth: 20, inputShape: [8, 8, 3], numClasses: 3, seed: 5 });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 11);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), 3);
    const opt = tf.train.momentum(0.05, 0.9);
    const before = model.getLayer("stem_bn").getWeights()[2]!.dataSync()[0];
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const loss = opt.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
        true,
      ) as tf.Scalar;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    expect(model.getLayer("stem_bn").getWeights()[2]!.dataSync()[0]).not.toBe(before);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  }, 240_000); // a hang guard only: ~20 s on a quiet 2-core machine, 80 s under load
});

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { summarizeParams } from "../internal/paramSummary";
import { trainSteps } from "../internal/trainSteps";
import { mlp } from "./mlp";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("mlp", () => {
  it("counts parameters by hand: 2-32-16-3 has 675 (no norm), 723 with LayerNorm (no hidden biases)", () => {
    const plain = mlp({ inputDim: 2, widths: [32, 16], outputDim: 3 });
    expect(plain.countParams()).toBe(2 * 32 + 32 + 32 * 16 + 16 + 16 * 3 + 3);
    expect(plain.countParams()).toBe(675);
    const ln = mlp({ inputDim: 2, widths: [32, 16], outputDim: 3, norm: "layer" });
    expect(ln.countParams()).toBe(2 * 32 + 2 * 32 + 32 * 16 + 2 * 16 + 16 * 3 + 3);
    const s = summarizeParams(ln);
    expect(s.byTag.norm).toEqual({ tensors: 4, params: 96 });
    expect(s.byTag.bias).toEqual({ tensors: 1, params: 3 });
    expect(s.byTag.weight).toEqual({ tensors: 3, params: 64 + 512 + 48 });
    const bn = mlp({ inputDim: 2, widths: [32, 16], outputDim: 3, norm: "batch" });
    expect(bn.countParams()).toBe(723 + 2 * (32 + 16)); // + moving mean and variance
    expect(summarizeParams(bn).byTag.norm!.tensors).toBe(4);
    for (const m of [plain, ln, bn]) m.dispose();
  });

  it("names layers and blocks", () => {
    const model = mlp({ inputDim: 4, widths: [8, 8], outputDim: 2, norm: "batch" });
    expect(model.layers.map((l) => l.name)).toEqual([
      "input",
      "dense1",
      "norm1",
      "act1",
      "dense2",
      "norm2",
      "act2",
      "head",
    ]);
    expect(model.samMeta.blocks).toEqual(["layer1", "layer2", "head"]);
    expect(model.samMeta.blockOfLayer).toMatchObject({ dense1: 0, norm2: 1, head: 2 });
    model.dispose();
    const linear = mlp({ inputDim: 4, widths: [], outputDim: 2 });
    expect(linear.samMeta.blocks).toEqual(["head"]);
    linear.dispose();
  });

  it("validates widths", () => {
    expect(() => mlp({ inputDim: 2, widths: [4, 0], outputDim: 1 })).toThrow(
      /widths\[1\] must be a positive integer, got 0/,
    );
  });

  it.each(["batch", "layer", undefined] as const)("trains a few steps (norm=%s)", (norm) => {
    const model = mlp({ inputDim: 2, widths: [16, 16], outputDim: 2, norm, seed: 3 });
    const x = tf.tensor2d([1, 2, -1, 0.5, 0.3, -2, -1, -1], [4, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], "int32"), 2);
    const losses = trainSteps(model, x, y, 8, 0.1);
    expect(losses[7]!).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([x, y]);
    model.dispose();
  });
});

import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { deriveSeed } from "./internal/seeds";
import { mlp } from "./models/mlp";
import { getSamMeta } from "./samMeta";

describe("getSamMeta", () => {
  it("returns the builder's metadata and explains how to get it otherwise", () => {
    const model = mlp({ inputDim: 2, widths: [3], outputDim: 1 });
    expect(getSamMeta(model)).toEqual({
      blocks: ["layer1", "head"],
      blockOfLayer: { input: 0, dense1: 0, act1: 0, head: 1 },
      head: ["head"],
    });
    model.dispose();
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => getSamMeta(plain)).toThrow(/no `samMeta` property.*loadModel\(dir\)/);
    plain.dispose();
  });
});

describe("deriveSeed", () => {
  it("is never 0, stays below 2^31 and separates neighbouring indices", () => {
    const seen = new Set<number>();
    for (const s of [0, 1, 2, -1, 2 ** 31 - 1]) {
      for (let i = 0; i < 200; i++) {
        const d = deriveSeed(s, i);
        expect(d).toBeGreaterThanOrEqual(1);
        expect(d).toBeLessThan(2 ** 31);
        seen.add(d);
      }
    }
    expect(seen.size).toBe(1000);
  });
});

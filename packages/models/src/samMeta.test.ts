import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
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

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { summarizeParams } from "../internal/paramSummary";
import { trainSteps } from "../internal/trainSteps";
import { textTransformer } from "./textTransformer";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("textTransformer", () => {
  const opts = { vocabSize: 20, seqLen: 6, dim: 8, depth: 1, heads: 2, mlpDim: 16, numClasses: 2, seed: 5 };

  it("counts parameters by hand and tags two embeddings", () => {
    const model = textTransformer(opts);
    const d = 8;
    const block = 4 * d + 4 * (d * d + d) + (d * 16 + 16) + (16 * d + d);
    const s = summarizeParams(model);
    expect(s.trainableParams).toBe(20 * d + 6 * d + block + 2 * d + d * 2 + 2);
    expect(s.byTag.embedding).toEqual({ tensors: 2, params: 20 * d + 6 * d });
    expect(s.byTag.norm!.tensors).toBe(6);
    expect(model.samMeta.blocks).toEqual(["embed", "block1", "head"]);
    model.dispose();
  });

  it("trains a few steps on int32 tokens", () => {
    const model = textTransformer(opts);
    const x = tf.tensor2d(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 3, 3, 1, 1, 1, 9, 9, 9, 0, 0, 0],
      [4, 6],
      "int32",
    );
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], "int32"), 2);
    const losses = trainSteps(model, x, y, 6, 0.05);
    expect(losses[5]!).toBeLessThan(losses[0]!);
    tf.dispose([x, y]);
    model.dispose();
  });
});

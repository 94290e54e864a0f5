import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { summarizeParams } from "../internal/paramSummary";
import { trainSteps } from "../internal/trainSteps";
import { vit } from "./vit";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** ViT parameters by hand: patch conv, position embedding, blocks, final LN, head. */
function expected(o: { img: number; p: number; c: number; d: number; depth: number; m: number; k: number }) {
  const tokens = (o.img / o.p) ** 2;
  const block = 4 * o.d + 4 * (o.d * o.d + o.d) + (o.d * o.m + o.m) + (o.m * o.d + o.d);
  return o.p * o.p * o.c * o.d + o.d + tokens * o.d + o.depth * block + 2 * o.d + o.d * o.k + o.k;
}

describe("vit", () => {
  const opts = {
    imageSize: 8,
    patchSize: 4,
    dim: 16,
    depth: 2,
    heads: 2,
    mlpDim: 32,
    numClasses: 3,
    seed: 3,
  };

  it("counts parameters by hand and tags norm/embedding", () => {
    const model = vit(opts);
    const s = summarizeParams(model);
    expect(s.trainableParams).toBe(expected({ img: 8, p: 4, c: 3, d: 16, depth: 2, m: 32, k: 3 }));
    expect(s.byTag.norm!.tensors).toBe(2 * (2 * 2 + 1)); // 2 LNs per block + final LN
    expect(s.byTag.embedding).toEqual({ tensors: 1, params: 4 * 16 });
    expect(s.byTag.weight!.tensors).toBe(1 + 2 * 6 + 1); // patch conv, q/k/v/o/mlp1/mlp2, head
    expect(s.byTag.vector).toBeUndefined();
    expect(model.samMeta.tags).toEqual({ "pos_embed/embeddings": ["embedding"] });
    expect(model.samMeta.blocks).toEqual(["embed", "block1", "block2", "head"]);
    expect(model.samMeta.blocks[model.samMeta.blockOfLayer.block2_attn_out!]).toBe("block2");
    model.dispose();
  });

  it("attention matches a direct computation", () => {
    const model = vit({ ...opts, depth: 1 });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 4);
    // Re-run block 1 by hand from the model's own weights.
    const sub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer("block1_ln1").output as tf.SymbolicTensor,
    });
    const h = sub.predict(x) as tf.Tensor3D; // [2, 4, 16]
    const w = (n: string) => model.getLayer(n).getWeights();
    const proj = (n: string) =>
      tf.add(tf.matMul(h.reshape([8, 16]), w(n)[0]!), w(n)[1]!).reshape([2, 4, 2, 8]);
    const [q, k, v] = ["block1_query", "block1_key", "block1_value"].map((n) =>
      proj(n).transpose([0, 2, 1, 3]),
    );
    const att = tf.softmax(tf.div(tf.matMul(q!, k!, false, true), Math.sqrt(8)));
    const expectedOut = tf.matMul(att, v!).transpose([0, 2, 1, 3]).reshape([2, 4, 16]);
    const attnSub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer("block1_attn").output as tf.SymbolicTensor,
    });
    const got = attnSub.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(got, expectedOut))).dataSync()[0]).toBeLessThan(1e-5);
    model.dispose();
  });

  it("trains a few steps on 8x8 images", () => {
    const model = vit(opts);
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 8);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), 3);
    const losses = trainSteps(model, x, y, 5, 0.05);
    expect(losses[4]!).toBeLessThan(losses[0]!);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("rejects bad sizes with the fix", () => {
    expect(() => vit({ ...opts, patchSize: 3 })).toThrow(
      /imageSize \(8\) must be divisible by patchSize \(3\)/,
    );
    expect(() => vit({ ...opts, heads: 3 })).toThrow(/dim \(16\) must be divisible by heads \(3\)/);
  });
});

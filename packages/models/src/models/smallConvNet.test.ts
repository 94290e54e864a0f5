import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { summarizeParams } from "../internal/paramSummary";
import { trainSteps } from "../internal/trainSteps";
import { smallConvNet } from "./smallConvNet";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("smallConvNet", () => {
  it("counts parameters by hand and tags 2 x 2 norm tensors", () => {
    const model = smallConvNet({ inputShape: [16, 16, 3], numClasses: 4, filters: [8, 16] });
    const s = summarizeParams(model);
    expect(s.trainableParams).toBe(9 * 3 * 8 + 2 * 8 + 9 * 8 * 16 + 2 * 16 + 16 * 4 + 4);
    expect(s.byTag.norm!.tensors).toBe(4);
    expect(model.samMeta.blocks).toEqual(["stage1", "stage2", "head"]);
    expect(model.outputs[0]!.shape).toEqual([null, 4]);
    model.dispose();
    const plain = smallConvNet({ norm: "none", filters: [4] });
    expect(summarizeParams(plain).byTag.bias!.tensors).toBe(2);
    plain.dispose();
  });

  it("trains a few steps", () => {
    const model = smallConvNet({ inputShape: [8, 8, 3], numClasses: 2, filters: [4, 8], seed: 9 });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 2);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], "int32"), 2);
    const losses = trainSteps(model, x, y, 6, 0.1);
    expect(losses[5]!).toBeLessThan(losses[0]!);
    tf.dispose([x, y]);
    model.dispose();
  });
});

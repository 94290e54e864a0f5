import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { summarizeParams } from "../internal/paramSummary";
import { trainSteps } from "../internal/trainSteps";
import { wideResNet } from "./wideResNet";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Trainable parameters of WRN-depth-k by hand (pre-activation blocks, 1x1 projections). */
function expectedTrainable(depth: number, k: number, classes: number): number {
  const n = (depth - 4) / 6;
  let total = 9 * 3 * 16;
  let cin = 16;
  for (let s = 0; s < 3; s++) {
    const c = 16 * k * 2 ** s;
    for (let b = 0; b < n; b++) {
      total += 2 * cin + 9 * cin * c + 2 * c + 9 * c * c + (cin !== c ? cin * c : 0);
      cin = c;
    }
  }
  return total + 2 * cin + cin * classes + classes;
}

describe("wideResNet", () => {
  it("WRN-16-4 has 2,748,890 trainable parameters and 2 x 13 norm tensors", () => {
    const model = wideResNet({ depth: 16, widen: 4, inputShape: [8, 8, 3] });
    const s = summarizeParams(model);
    expect(expectedTrainable(16, 4, 10)).toBe(2_748_890);
    expect(s.trainableParams).toBe(2_748_890);
    const bnLayers = model.layers.filter((l) => l.getClassName() === "BatchNormalization").length;
    expect(bnLayers).toBe(13); // 2 per block x 6 + final
    expect(s.byTag.norm!.tensors).toBe(2 * bnLayers);
    expect(s.byTag.weight!.tensors).toBe(1 + 12 + 3 + 1); // stem, 12 block convs, 3 projections, head
    expect(s.byTag.bias).toEqual({ tensors: 1, params: 10 });
    expect(model.samMeta.blocks).toEqual([
      "stem",
      ...[1, 2, 3].flatMap((st) => [1, 2].map((b) => `stage${st}_block${b}`)),
      "head",
    ]);
    model.dispose();
  });

  it("WRN-28-10 has 36,479,194 trainable parameters", () => {
    const model = wideResNet({ depth: 28, widen: 10, inputShape: [8, 8, 3] });
    expect(expectedTrainable(28, 10, 10)).toBe(36_479_194);
    expect(summarizeParams(model).trainableParams).toBe(36_479_194);
    model.dispose();
  });

  it("rejects depths that are not 6n + 4", () => {
    expect(() => wideResNet({ depth: 20, widen: 4 })).toThrow(/depth must be 6n \+ 4.*got 20/);
  });

  it("trains a few steps on 8x8 inputs (WRN-16-1: same code path as 16-4, 16x fewer FLOPs)", () => {
    const model = wideResNet({ depth: 16, widen: 1, inputShape: [8, 8, 3], numClasses: 2, seed: 2 });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 5);
    const y = tf.oneHot(tf.tensor1d([0, 1], "int32"), 2);
    const losses = trainSteps(model, x, y, 3, 0.02);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[2]!).toBeLessThan(losses[0]!);
    tf.dispose([x, y]);
    model.dispose();
  });
});

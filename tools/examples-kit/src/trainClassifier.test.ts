import * as tf from "@tensorflow/tfjs";
import { gaussianBlobs, mlp } from "@sam/models";
import { describe, expect, it } from "vitest";
import { accuracy, trainClassifier } from "./trainClassifier";

describe("trainClassifier", () => {
  it("learns separable blobs, returns per-epoch losses and leaks nothing", () => {
    const data = gaussianBlobs({ n: 40, centers: 3, std: 0.5, seed: 2 });
    const model = mlp({ inputDim: 2, widths: [16], outputDim: 3, seed: 1 }) as unknown as tf.LayersModel;
    const before = accuracy(model, data);
    const optimizer = tf.train.adam(0.05);
    trainClassifier(model, optimizer, data, { epochs: 1, batchSize: 30 }); // allocates Adam's slots
    const tensors = tf.memory().numTensors;
    const { losses } = trainClassifier(model, optimizer, data, { epochs: 5, batchSize: 30 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(losses[4]!).toBeLessThan(losses[0]!);
    expect(accuracy(model, data)).toBeGreaterThan(Math.max(before, 0.9));
  });
});

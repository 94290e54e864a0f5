import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { fineTune, METHODS } from "./fineTune";
import { digitsTask } from "./setup";

// The demo in a reduced form (shipped weights, 20 images, one epoch), so that it cannot rot.
describe("transfer demo (reduced)", () => {
  it("fine-tunes the shipped backbone with every method", async () => {
    const { train } = await digitsTask("fine-tune", { train: 20, test: 1 }, 21);
    for (const method of METHODS) {
      const r = await fineTune(method, train, train, { epochs: 1, batchSize: 10, lr: 0.03, k: 5, seed: 7 });
      expect(Number.isFinite(r.trainLoss), method).toBe(true);
      expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
      r.model.dispose();
    }
    expect(tf.memory().numTensors).toBeLessThan(2000);
  }, 600_000); // a hang guard: ~2 min on a quiet 2-core machine, 4 under load
});

import { resolveHyperValue } from "@sam/core";
import { describe, expect, it } from "vitest";
import { compareSamFamily, learningRate, standardizeImages } from "./compareSamFamily";
import { VIT_RUN } from "./runs";

// The example in a reduced form (a few steps on tiny images), so that it cannot rot; the
// figures of the full run are in the README.
describe("sam-family example (reduced)", () => {
  it("runs every method on both models and reports finite results", () => {
    const resnet = compareSamFamily({
      model: "resnet20",
      size: 8,
      trainImages: 8,
      testImages: 8,
      epochs: 1,
      batchSize: 4,
      noise: 0.1,
    });
    expect(resnet.map((r) => r.method)).toEqual(["sgd", "sam", "sam-on", "asam"]);
    // The ViT run's settings (AdamW, warm-up + cosine, standardized images, the README's shape), shrunk.
    const vit = compareSamFamily({
      ...VIT_RUN,
      size: 8,
      trainImages: 8,
      testImages: 8,
      epochs: 2,
      batchSize: 4,
    });
    expect(vit.map((r) => r.method)).toEqual(["adamw", "sam", "sam-on", "asam"]);
    for (const r of [...resnet, ...vit]) {
      expect(Number.isFinite(r.trainLoss)).toBe(true);
      expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(r.secondsPerEpoch).toBeGreaterThan(0);
    }
    for (const r of vit) expect(r.testCurve).toHaveLength(2);
  }, 240_000);

  it("warms up linearly, then decays to zero at the last step", () => {
    const lr = learningRate({ ...VIT_RUN, epochs: 3, lr: 0.002, warmupEpochs: 1 }, 10);
    const at = (step: number) => resolveHyperValue(lr, step) as number;
    expect(at(0)).toBeLessThan(at(5));
    expect(at(10)).toBeCloseTo(0.002, 6);
    expect(at(29)).toBeLessThan(0.0001);
  });

  it("standardizes each image's channels to mean 0 and std 1", () => {
    const xs = new Float32Array([0, 1, 2, 3, 10, 10, 10, 14]);
    const out = standardizeImages({ xs, xShape: [2, 2, 1], ys: new Int32Array(2), yShape: [], size: 2 });
    expect(Array.from(out.xs.slice(0, 4)).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(Array.from(out.xs.slice(4))).toEqual(
      [-1 / Math.sqrt(3), -1 / Math.sqrt(3), -1 / Math.sqrt(3), Math.sqrt(3)].map((v) =>
        expect.closeTo(v, 5),
      ),
    );
  });
});

import { describe, expect, it } from "vitest";
import { compareSamFamily } from "./compareSamFamily";

// The example in a reduced form (a few steps on tiny images), so that it cannot rot; the
// figures of the full run are in the README.
describe("sam-family example (reduced)", () => {
  it("runs every method on both models and reports finite results", () => {
    for (const model of ["resnet20", "vit"] as const) {
      const rows = compareSamFamily({ model, size: 8, trainImages: 8, testImages: 8, epochs: 1, batchSize: 4, noise: 0.1 });
      expect(rows.map((r) => r.method)).toEqual(["sgd", "sam", "sam-on", "asam"]);
      for (const r of rows) {
        expect(Number.isFinite(r.trainLoss)).toBe(true);
        expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
      }
    }
  }, 240_000);
});

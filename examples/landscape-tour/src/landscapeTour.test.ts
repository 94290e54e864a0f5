import { describe, expect, it } from "vitest";
import { edgeOfStabilityRun } from "./edgeOfStability";
import { layerwiseInterpolation } from "./layerwiseInterpolation";

// The example in a reduced form, so that it cannot rot; the full run's figures are in the README.
describe("landscape tour (reduced)", () => {
  it("interpolates per block from initialization to a briefly trained ResNet-8", async () => {
    const r = await layerwiseInterpolation({ trainImages: 20, testImages: 10, epochs: 1, points: 3 });
    const labels = new Set(r.curves.map((c) => c.label));
    expect([...labels]).toEqual(["all", "stem", "stage1_block1", "stage2_block1", "stage3_block1", "head"]);
    expect(r.curves.every((c) => c.loss.length === 3)).toBe(true);
  }, 360_000); // a hang guard: these runs take 1-2 min on a loaded 2-core machine

  it("tracks the top Hessian eigenvalue under model.fit", async () => {
    const r = await edgeOfStabilityRun({ lr: 0.4, steps: 20, every: 10, n: 32 });
    expect(r.history.map((h) => h.step)).toEqual([0, 10, 20]);
    expect(r.history.every((h) => h.lambdaMax > 0)).toBe(true);
  }, 360_000); // a hang guard: these runs take 1-2 min on a loaded 2-core machine
});

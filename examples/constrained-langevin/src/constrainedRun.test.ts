import { shapes } from "@sam/models";
import { describe, expect, it } from "vitest";
import { constrainedRun } from "./constrainedRun";

// The example in a reduced form, so that it cannot rot.
describe("constrained Langevin example (reduced)", () => {
  it("keeps the hidden kernel orthogonal while the unconstrained one drifts", async () => {
    const train = shapes({ n: 40, size: 8, seed: 1 });
    const free = await constrainedRun({ train, test: train, epochs: 2, batchSize: 20, width: 16, orthogonal: false });
    const kept = await constrainedRun({ train, test: train, epochs: 2, batchSize: 20, width: 16, orthogonal: true });
    expect(kept.residuals.slice(1).every((r) => r < 1e-4)).toBe(true);
    expect(free.residuals.at(-1)!).toBeGreaterThan(0.1);
  });
});

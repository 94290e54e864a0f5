import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { decisionBoundaryPanel, decisionBoundarySvg } from "./decisionBoundarySvg";
import { trainSpirals } from "./trainSpirals";
import { seededRandom, twoSpirals } from "./twoSpirals";

// A smoke test of the example (the full comparison takes ~1 h on a CPU backend; see the README).
describe("spirals-adlala example", () => {
  it("trains each method a few epochs and draws the boundaries", async () => {
    const rng = seededRandom(2);
    const train = twoSpirals(100, rng);
    const test = twoSpirals(100, rng);
    const grid = tf.tensor2d([0, 0, 1, 1, -1, 0.5, 0.3, -2], [4, 2]);
    for (const method of ["adlala", "adam", "sgd"] as const) {
      const run = await trainSpirals({ method, train, test, epochs: 3, every: 3, seed: 2, grid });
      expect(run.history).toHaveLength(1);
      expect(run.history[0]!.test).toBeGreaterThan(20);
      expect(run.grid.every((p) => p >= 0 && p <= 1)).toBe(true);
      const svg = decisionBoundarySvg([
        decisionBoundaryPanel({ title: method, grid: run.grid, resolution: 2, extent: 2, points: test }),
      ]);
      expect(svg.startsWith("<svg")).toBe(true);
    }
    grid.dispose();
  });

  it("generates the authors' two spirals: two arms, point-symmetric", () => {
    const d = twoSpirals(10, seededRandom(1), { noise: 0 });
    expect(Array.from(d.y)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(d.x[10]).toBeCloseTo(-d.x[0]!, 6);
    expect(Math.hypot(d.x[0]!, d.x[1]!)).toBeLessThanOrEqual(2);
  });
});

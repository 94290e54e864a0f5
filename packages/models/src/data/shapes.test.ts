import { describe, expect, it } from "vitest";
import { checkDataset } from "./dataset";
import { shapes } from "./shapes";

describe("shapes", () => {
  it("generates balanced, seeded images in [0, 1]", () => {
    // (its speed is not asserted here: timing belongs in benchmarks, not in tests on a shared machine)
    const ds = shapes({ n: 1000, size: 32, seed: 3 });
    checkDataset(ds);
    expect(ds.xShape).toEqual([32, 32, 3]);
    expect(ds.classNames).toEqual(["disc", "square", "triangle", "plus", "diamond"]);
    expect(Array.from(ds.ys.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 0]);
    expect(ds.xs.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(shapes({ n: 5, seed: 3 }).xs).toEqual(shapes({ n: 5, seed: 3 }).xs);
    const b = shapes({ n: 3, task: "B", numClasses: 3, size: 16 });
    expect(b.classNames).toEqual(["ring", "frame", "triangle_down"]);
    expect(() => shapes({ n: 3, numClasses: 6 })).toThrow(/numClasses must be an integer in 2..5, got 6/);
  });

  it("noiseless images have exactly two colours, the foreground covering a plausible area", () => {
    const ds = shapes({ n: 10, size: 16, noise: 0, seed: 1 });
    for (let i = 0; i < 10; i++) {
      const img = ds.xs.subarray(i * 768, (i + 1) * 768);
      const colours = new Map<string, number>();
      for (let p = 0; p < 256; p++) {
        const key = `${img[3 * p]},${img[3 * p + 1]},${img[3 * p + 2]}`;
        colours.set(key, (colours.get(key) ?? 0) + 1);
      }
      expect(colours.size).toBe(2);
      const fg = Math.min(...colours.values());
      expect(fg).toBeGreaterThan(4);
    }
  });
});

import { describe, expect, it } from "vitest";
import { meanSe, pairedDifference } from "./sweepStats";

describe("meanSe", () => {
  it("gives the mean and s / sqrt(n) with the n - 1 sample variance", () => {
    // 1, 2, 3, 4: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, s^2 = 5/3, se = sqrt(5/3)/2
    const s = meanSe([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.se).toBeCloseTo(Math.sqrt(5 / 3) / 2, 15);
    expect(s.n).toBe(4);
  });
  it("has no standard error for one value, and refuses an empty sample", () => {
    expect(meanSe([0.7])).toEqual({ mean: 0.7, se: null, n: 1 });
    expect(() => meanSe([])).toThrow(/empty/);
  });
  it("keeps its precision on large values that differ little (two passes)", () => {
    const s = meanSe([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    expect(s.se).toBeCloseTo(1 / Math.sqrt(3), 9); // s = 1
  });
});

describe("pairedDifference", () => {
  it("pairs by key: mean and s.e. of b - a over the shared keys, naming the unpaired ones", () => {
    const a = new Map([
      ["1", 0.8],
      ["2", 0.7],
      ["3", 0.75],
    ]);
    const b = new Map([
      ["1", 0.85],
      ["2", 0.74],
      ["4", 0.9],
    ]);
    const d = pairedDifference(a, b)!;
    // d = 0.05, 0.04: mean 0.045, s^2 = (0.005^2 * 2) / 1, se = 0.005 * sqrt(2) / sqrt(2) = 0.005
    expect(d.mean).toBeCloseTo(0.045, 12);
    expect(d.se).toBeCloseTo(0.005, 12);
    expect(d.n).toBe(2);
    expect(d.keys).toEqual(["1", "2"]);
    expect(d.onlyA).toEqual(["3"]);
    expect(d.onlyB).toEqual(["4"]);
  });
  it("is tighter than the unpaired difference when the seeds move both cells together", () => {
    const a = new Map([
      ["1", 0.6],
      ["2", 0.8],
      ["3", 0.7],
    ]);
    const b = new Map([
      ["1", 0.62],
      ["2", 0.83],
      ["3", 0.71],
    ]);
    const d = pairedDifference(a, b)!;
    // d = 0.02, 0.03, 0.01: mean 0.02, s = 0.01, se = 0.01/sqrt(3)
    expect(d.mean).toBeCloseTo(0.02, 12);
    expect(d.se).toBeCloseTo(0.01 / Math.sqrt(3), 12);
    expect(d.se!).toBeLessThan(meanSe([...a.values()]).se!);
  });
  it("is null without a shared key", () => {
    expect(pairedDifference(new Map([["1", 1]]), new Map([["2", 1]]))).toBeNull();
  });
});

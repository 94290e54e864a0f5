import { describe, expect, it } from "vitest";
import { symmetricLabelNoise } from "./symmetricLabelNoise";

describe("symmetricLabelNoise", () => {
  const ys = Int32Array.from({ length: 200 }, (_, i) => i % 4);
  const ds = { xs: new Float32Array(200), xShape: [1], ys, yShape: [], size: 200, numClasses: 4 };

  it("changes exactly round(fraction * n) labels, each to another class, and no other", () => {
    const { dataset, changed } = symmetricLabelNoise(ds, 0.3, 7);
    expect(changed).toBe(60);
    let differ = 0;
    for (let i = 0; i < 200; i++) {
      if (dataset.ys[i] !== ys[i]) differ++;
      expect(dataset.ys[i]).toBeGreaterThanOrEqual(0);
      expect(dataset.ys[i]).toBeLessThan(4);
    }
    expect(differ).toBe(60);
    expect(Array.from(ds.ys)).toEqual(Array.from(ys)); // the input is untouched
  });

  it("is a function of the seed", () => {
    const a = symmetricLabelNoise(ds, 0.3, 7).dataset.ys;
    expect(Array.from(symmetricLabelNoise(ds, 0.3, 7).dataset.ys)).toEqual(Array.from(a));
    expect(Array.from(symmetricLabelNoise(ds, 0.3, 8).dataset.ys)).not.toEqual(Array.from(a));
  });

  it("draws the new classes uniformly among the others", () => {
    const big = { ...ds, ys: new Int32Array(30000), size: 30000, xs: new Float32Array(30000) };
    const { dataset } = symmetricLabelNoise(big, 1, 3);
    const counts = [0, 0, 0, 0];
    for (const y of dataset.ys) counts[y]!++;
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(Math.abs(c - 10000)).toBeLessThan(300); // 3 sigma ~ 245
  });
});

import { describe, expect, it } from "vitest";
import { checkDataset } from "./dataset";
import { gaussianBlobs } from "./gaussianBlobs";
import { spirals } from "./spirals";
import { syntheticText } from "./syntheticText";
import { twoMoons } from "./twoMoons";

describe("generated data sets", () => {
  it("spirals: n per class on r = t, angle 2 pi turns t + 2 pi k / K, seeded noise", () => {
    const ds = spirals({ n: 50, classes: 3, turns: 2 });
    checkDataset(ds);
    expect(ds.size).toBe(150);
    // Point i = 10 of class 1: t = 0.2, theta = 2 pi 2 0.2 + 2 pi / 3.
    const th = 2 * Math.PI * 2 * 0.2 + (2 * Math.PI) / 3;
    expect(ds.xs[2 * 60]).toBeCloseTo(0.2 * Math.cos(th), 6);
    expect(ds.xs[2 * 60 + 1]).toBeCloseTo(0.2 * Math.sin(th), 6);
    expect(ds.ys[60]).toBe(1);
    const a = spirals({ n: 20, noise: 0.1, seed: 4 });
    expect(a.xs).toEqual(spirals({ n: 20, noise: 0.1, seed: 4 }).xs);
    expect(a.xs).not.toEqual(spirals({ n: 20, noise: 0.1, seed: 5 }).xs);
  });

  it("twoMoons: noiseless points lie on the two half circles", () => {
    const ds = twoMoons({ n: 11, noise: 0 });
    checkDataset(ds);
    for (let i = 0; i < 11; i++) {
      const [x0, y0] = [ds.xs[2 * i]!, ds.xs[2 * i + 1]!];
      expect(x0 * x0 + y0 * y0).toBeCloseTo(1, 5);
      const [x1, y1] = [ds.xs[2 * (11 + i)]!, ds.xs[2 * (11 + i) + 1]!];
      expect((x1 - 1) ** 2 + (y1 - 0.5) ** 2).toBeCloseTo(1, 5);
    }
  });

  it("gaussianBlobs: sample means near the given centres", () => {
    const ds = gaussianBlobs({
      n: 2000,
      centers: [
        [0, 0],
        [5, -5],
      ],
      std: 0.5,
      seed: 2,
    });
    checkDataset(ds);
    let mx = 0;
    let my = 0;
    for (let i = 2000; i < 4000; i++) {
      mx += ds.xs[2 * i]! / 2000;
      my += ds.xs[2 * i + 1]! / 2000;
    }
    expect(mx).toBeCloseTo(5, 1);
    expect(my).toBeCloseTo(-5, 1);
    expect(gaussianBlobs({ n: 3, centers: 4, dim: 5 }).xShape).toEqual([5]);
  });

  it("syntheticText: own-class keywords outnumber distractors; ids in range", () => {
    const ds = syntheticText({ n: 40, vocabSize: 30, seqLen: 10, numClasses: 4, keywordsPerClass: 3 });
    checkDataset(ds);
    for (let i = 0; i < ds.size; i++) {
      const counts = [0, 0, 0, 0];
      for (let t = 0; t < 10; t++) {
        const tok = ds.xs[i * 10 + t]!;
        expect(tok).toBeGreaterThan(0);
        expect(tok).toBeLessThan(30);
        if (tok <= 12) counts[Math.floor((tok - 1) / 3)]! += 1;
      }
      expect(counts[ds.ys[i]!]).toBe(2);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    }
    expect(() => syntheticText({ n: 2, vocabSize: 7, numClasses: 2 })).toThrow(/use vocabSize > 7/);
  });
});

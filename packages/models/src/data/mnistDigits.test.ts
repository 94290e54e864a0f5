import { describe, expect, it } from "vitest";
import { checkDataset, type Dataset } from "./dataset";
import { mnistDigits } from "./mnistDigits";

/** Examples per digit in the `mnist` 1.1.0 package (`src/digits/N.json`); they sum to 10,000. */
const PER_DIGIT = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

function countLabels(ds: Dataset, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const y of ds.ys) counts[y]! += 1;
  return counts;
}

/** Sum of each image's 784 pixels, in float64. */
function imageSums(ds: Dataset): number[] {
  const out: number[] = [];
  for (let i = 0; i < ds.size; i++) {
    let s = 0;
    for (let j = 0; j < 784; j++) s += ds.xs[i * 784 + j]!;
    out.push(s);
  }
  return out;
}

describe("mnistDigits", () => {
  it("loads all 10,000 real digits with the package's counts per class, stratified 80/20", async () => {
    const { train, test } = await mnistDigits({ seed: 1 });
    checkDataset(train);
    checkDataset(test);
    expect(train.size + test.size).toBe(10_000);
    expect(train.xShape).toEqual([28, 28, 1]);
    expect(train.numClasses).toBe(10);
    const nTest = PER_DIGIT.map((n) => Math.round(0.2 * n));
    expect(countLabels(test, 10)).toEqual(nTest);
    expect(countLabels(train, 10)).toEqual(PER_DIGIT.map((n, d) => n - nTest[d]!));
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of train.xs) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 1]);
  });

  it("keeps the package's pixels: digit 3's total ink and its first image's sum", async () => {
    const { train, test } = await mnistDigits({ digits: [3], testFraction: 0, seed: 5 });
    expect(test.size).toBe(0);
    expect(train.size).toBe(1032);
    const sums = imageSums(train);
    // Sum over all 1032 x 784 values of mnist/src/digits/3.json: 115487.985 (computed in float64
    // from the JSON); stored as float32 here, so agree to float32 rounding.
    expect(sums.reduce((a, b) => a + b, 0)).toBeCloseTo(115487.985, 1);
    // The first image of 3.json sums to 140.635; it is somewhere in the shuffled set.
    expect(sums.some((s) => Math.abs(s - 140.635) < 1e-3)).toBe(true);
  });

  it("relabels by position with labels: 'index' (digits 5-9 become classes 0-4)", async () => {
    const { train, test } = await mnistDigits({ digits: [5, 6, 7, 8, 9], labels: "index", perDigit: 100 });
    expect(train.numClasses).toBe(5);
    expect(train.classNames).toEqual(["5", "6", "7", "8", "9"]);
    expect(countLabels(train, 5)).toEqual([80, 80, 80, 80, 80]);
    expect(countLabels(test, 5)).toEqual([20, 20, 20, 20, 20]);
  });

  it("splits deterministically by seed: same seed, same arrays; another seed, another split; no overlap", async () => {
    const opts = { digits: [0, 1], perDigit: 200 } as const;
    const a = await mnistDigits({ ...opts, seed: 7 });
    const b = await mnistDigits({ ...opts, seed: 7 });
    const c = await mnistDigits({ ...opts, seed: 8 });
    expect(Buffer.from(a.train.xs.buffer).equals(Buffer.from(b.train.xs.buffer))).toBe(true);
    expect(Array.from(a.test.ys)).toEqual(Array.from(b.test.ys));
    expect(Buffer.from(a.train.xs.buffer).equals(Buffer.from(c.train.xs.buffer))).toBe(false);
    const trainSums = new Set(imageSums(a.train).map((s) => s.toFixed(4)));
    const shared = imageSums(a.test).filter((s) => trainSums.has(s.toFixed(4)));
    expect(shared.length).toBeLessThanOrEqual(1); // distinct images may share a sum; the split shares none
  });

  it("names the option and the value on bad input", async () => {
    await expect(mnistDigits({ digits: [3, 3] })).rejects.toThrow(
      /digits must be distinct integers in 0..9, got \[3,3\]/,
    );
    await expect(mnistDigits({ digits: [10] })).rejects.toThrow(/digits .* got \[10\]/);
    await expect(mnistDigits({ testFraction: 1 })).rejects.toThrow(
      /testFraction must lie in \[0, 1\), got 1/,
    );
    await expect(mnistDigits({ perDigit: 0 })).rejects.toThrow(/perDigit must be an integer >= 1, got 0/);
  });
});

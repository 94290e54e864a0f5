import { describe, expect, it } from "vitest";
import { summarizeSeeds } from "./seedSummary";

// Hand-computed: adlala 86, 88, 90 (mean 88, sd 2); adam 68, 69, 76 (mean 71, sd sqrt(19));
// sgd 64, 71 and missing on seed 3 (mean 67.5, sd sqrt(24.5)). Paired differences adlala - adam:
// 18, 19, 14 (mean 17, sd sqrt(7)); adam - sgd on seeds 1 and 2: 4, -2 (mean 1, sd sqrt(18)).
const results = [
  { seed: 1, test: { adlala: 86, adam: 68, sgd: 64 } },
  { seed: 2, test: { adlala: 88, adam: 69, sgd: 71 } },
  { seed: 3, test: { adlala: 90, adam: 76 } },
];

describe("summarizeSeeds", () => {
  it("gives each method's mean, sample sd and standard error", () => {
    const { methods } = summarizeSeeds(results);
    expect(methods.adlala).toEqual({
      n: 3,
      mean: 88,
      sd: 2,
      standardError: expect.closeTo(2 / Math.sqrt(3), 12),
    });
    expect(methods.adam!.mean).toBeCloseTo(71, 12);
    expect(methods.adam!.sd).toBeCloseTo(Math.sqrt(19), 12);
    expect(methods.sgd).toEqual({
      n: 2,
      mean: 67.5,
      sd: expect.closeTo(Math.sqrt(24.5), 12),
      standardError: expect.closeTo(Math.sqrt(24.5 / 2), 12),
    });
  });

  it("compares adjacent pairs seed by seed, on the seeds both ran on", () => {
    const [first, second] = summarizeSeeds(results).pairs;
    expect(first).toEqual({
      ahead: "adlala",
      behind: "adam",
      n: 3,
      aheadOn: 3,
      meanDifference: 17,
      standardError: expect.closeTo(Math.sqrt(7 / 3), 12),
    });
    expect(second).toEqual({
      ahead: "adam",
      behind: "sgd",
      n: 2,
      aheadOn: 1,
      meanDifference: 1,
      standardError: expect.closeTo(3, 12),
    });
  });

  it("says whether the ranking holds on the means and on how many complete seeds", () => {
    const summary = summarizeSeeds(results);
    expect(summary.holdsOnMean).toBe(true);
    expect(summary.seedsWithAll).toBe(2);
    expect(summary.holdsOnSeeds).toBe(1);
    const reversed = summarizeSeeds(results, ["adlala", "sgd", "adam"]);
    expect(reversed.holdsOnMean).toBe(false);
    expect(reversed.holdsOnSeeds).toBe(1); // seed 2: 88 > 71 > 69
  });

  it("counts a tie as not ahead", () => {
    const tie = summarizeSeeds([{ seed: 1, test: { adam: 70, sgd: 70 } }], ["adam", "sgd"]);
    expect(tie.pairs[0]!.aheadOn).toBe(0);
    expect(tie.holdsOnMean).toBe(false);
    expect(tie.holdsOnSeeds).toBe(0);
  });

  it("names the fix for a ranking of one method or a method that never ran", () => {
    expect(() => summarizeSeeds(results, ["adam"])).toThrow(/ranking has 1 method\(s\); give at least two/);
    expect(() => summarizeSeeds([{ seed: 1, test: { adam: 70 } }])).toThrow(
      /no result for 'adlala' on any of 1 seed\(s\); run it, or leave it out of the ranking/,
    );
  });
});

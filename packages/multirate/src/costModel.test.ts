import { describe, expect, it } from "vitest";
import { multirateSpeedup } from "./costModel";

describe("multirateSpeedup", () => {
  it("is k / (1 + (k - 1) rho): 1 at k = 1, the paper's ~2x at rho 0.386, k = 5, at most 1 / rho", () => {
    expect(multirateSpeedup(1, 0.3)).toBe(1);
    expect(multirateSpeedup(5, 0.386)).toBeCloseTo(5 / 2.544, 12);
    expect(multirateSpeedup(10_000, 0.25)).toBeLessThan(4);
  });

  it("rejects a bad k or ratio", () => {
    expect(() => multirateSpeedup(0, 0.3)).toThrow(/multirateSpeedup k is 0/);
    expect(() => multirateSpeedup(5, 0)).toThrow(/fastStepOverFullStep is 0: it must be a positive number/);
  });
});

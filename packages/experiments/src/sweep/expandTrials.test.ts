import { describe, expect, it } from "vitest";
import { expandTrials, setPath } from "./expandTrials";

describe("expandTrials", () => {
  it("grid x zip gives 2 x 2 trials, grid key slowest", () => {
    const t = expandTrials({
      grid: { seed: [1, 2] },
      zip: { "method.name": ["sgd", "sam"], "method.rho": [null, 0.05] },
    });
    expect(t.map((x) => x.id)).toEqual([
      "seed=1,method.name=sgd,method.rho=null",
      "seed=1,method.name=sam,method.rho=0.05",
      "seed=2,method.name=sgd,method.rho=null",
      "seed=2,method.name=sam,method.rho=0.05",
    ]);
  });
  it("refuses zip lists of unequal length, naming both", () => {
    expect(() => expandTrials({ zip: { a: [1, 2], b: [1] } })).toThrow(
      /axes.zip.b has 1 values but axes.zip.a has 2/,
    );
  });
  it("setPath sets nested fields and deletes on null without touching the base", () => {
    const base = { method: { name: "sam", rho: 0.1 } };
    expect(setPath(base, "method.rho", 0.2)).toEqual({ method: { name: "sam", rho: 0.2 } });
    expect(setPath(base, "method.rho", null)).toEqual({ method: { name: "sam" } });
    expect(base.method.rho).toBe(0.1);
  });
});

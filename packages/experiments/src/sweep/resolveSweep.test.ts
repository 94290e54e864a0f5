import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configSha256 } from "../run/trainRun";
import { tempDir, tinyConfig } from "../test/tinyConfig";
import { loadSweepSpec, resolveSweep } from "./resolveSweep";

const base = tinyConfig({ name: "sgd", hyper: { lr: 0.1 } });
const spec = (extra: Record<string, unknown> = {}) => ({
  name: "t",
  base,
  axes: { grid: { seed: [1, 2] }, zip: { "method.name": ["sgd", "sam"], "method.rho": [null, 0.05] } },
  ...extra,
});
const errorOf = (input: unknown, dir = "."): string => {
  try {
    resolveSweep(input, dir);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("resolveSweep accepted the spec");
};

describe("resolveSweep", () => {
  it("expands the axes into validated trial configs, cells every axis but the seed", () => {
    const s = resolveSweep(spec(), "/specs");
    expect(s.trials.map((t) => t.id)).toEqual([
      "seed=1,method.name=sgd,method.rho=null",
      "seed=1,method.name=sam,method.rho=0.05",
      "seed=2,method.name=sgd,method.rho=null",
      "seed=2,method.name=sam,method.rho=0.05",
    ]);
    expect(s.cellAxes).toEqual(["method.name", "method.rho"]);
    const sam2 = s.trials[3]!;
    expect(sam2.config.seed).toBe(2);
    expect(sam2.config.method.rho).toBe(0.05);
    expect(sam2.config.data.batchSize).toBe(16); // defaults filled in by the train schema
    expect(s.trials[0]!.config.method.rho).toBeUndefined(); // null removed the field
    expect(sam2.configSha256).toBe(configSha256(sam2.config));
    expect(s.root).toBe("/specs");
    expect(s.spec.report).toEqual({ metric: "final_test_accuracy", higherIsBetter: true, compare: [] });
  });

  it("reads a base given as a path relative to the spec, and resolves data paths beside it", () => {
    const dir = tempDir("sam-sweep-");
    mkdirSync(join(dir, "configs"));
    writeFileSync(join(dir, "configs", "run.json"), JSON.stringify(base));
    writeFileSync(join(dir, "sweep.json"), JSON.stringify({ ...spec(), base: "configs/run.json" }));
    const s = loadSweepSpec(join(dir, "sweep.json"));
    expect(s.trials).toHaveLength(4);
    expect(s.root).toBe(join(dir, "configs"));
    expect(errorOf({ ...spec(), base: "nope.json" }, dir)).toMatch(
      /base is "nope.json": cannot read .*nope\.json as JSON .*relative to the spec's directory/,
    );
  });

  it("names the field, the value and what is allowed for a bad spec, every problem at once", () => {
    const msg = errorOf({ ...spec(), name: "a b", axes: { grid: { seed: [] }, grd: {} }, reprot: {} });
    expect(msg).toMatch(/^sweep spec is invalid:/);
    expect(msg).toContain('- name is "a b": letters, digits');
    expect(msg).toContain("- axes.grid.seed is []: it must be");
    expect(msg).toContain("- axes.grd is {}, but grd is not a field of axes; allowed fields are grid, zip.");
    expect(msg).toContain(
      "- reprot is {}, but reprot is not a field of (the config); allowed fields are $schema, name, base, axes, report.",
    );
  });

  it("checks the report against the axes: metric, cells, x and that each compared side is one cell", () => {
    const msg = errorOf(
      spec({
        report: {
          metric: "accuracy",
          cells: ["method.name", "lr"],
          x: "seed",
          compare: [
            [{ "method.name": "sgd" }, { "method.name": "adam" }],
            [{ seed: 1 }, {}],
          ],
        },
      }),
    );
    expect(msg).toContain('- report.metric is "accuracy": allowed values are "final_test_accuracy",');
    expect(msg).toContain(
      '- report.cells[1] is "lr", which is not an axis: the axes are seed, method.name, method.rho.',
    );
    expect(msg).toContain('- report.x is "seed": it must be one of the cell axes (method.name).');
    expect(msg).toContain(
      '- report.compare[0][1] is {"method.name":"adam"}, which selects 0 cells: give values of the cell axes that select exactly one of method.name=sgd; method.name=sam.',
    );
    expect(msg).toContain(
      "- report.compare[1][0].seed is set, but seed is not a cell axis: the cell axes are method.name.",
    );
    expect(msg).toContain(
      "- report.compare[1][1] is {}, which selects 2 cells (method.name=sgd; method.name=sam)",
    );
  });

  it("validates every trial's config before anything runs, naming the trial and the field", () => {
    const msg = errorOf({ ...spec(), axes: { grid: { seed: [1], "method.name": ["sgd", "sam", "samm"] } } });
    expect(msg).toContain(
      "- trial seed=1,method.name=sam is invalid:\n  - method.rho is missing: sam needs a radius, e.g. 0.05.",
    );
    expect(msg).toContain(
      '- trial seed=1,method.name=samm is invalid:\n  - method.name is "samm": allowed values are',
    );
    expect(msg).not.toContain("method.name=sgd");
  });

  it("refuses a field on two axes, zip lists of unequal length, and repeated values", () => {
    expect(errorOf({ ...spec(), axes: { grid: { seed: [1] }, zip: { seed: [2] } } })).toContain(
      "- axes.zip.seed is also in axes.grid: give each field one axis.",
    );
    expect(errorOf({ ...spec(), axes: { zip: { seed: [1, 2], "method.hyper.lr": [0.1] } } })).toContain(
      "axes.zip.method.hyper.lr has 1 values but axes.zip.seed has 2",
    );
    expect(errorOf({ ...spec(), axes: { grid: { seed: [1, 1] } } })).toContain(
      '- trials 0 and 1 have the same values {"seed":1}: remove the repeated value from its axis.',
    );
  });
});

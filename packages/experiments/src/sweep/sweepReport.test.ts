import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, tinyConfig } from "../test/tinyConfig";
import { resolveSweep } from "./resolveSweep";
import { prepareSweepDir, trialDir } from "./sweepDir";
import { reportMarkdown, sweepReport } from "./sweepReport";
import { writeSweepReport } from "./writeSweepReport";

// A sweep directory written by hand: 4 seeds x {sgd, sam}. sgd has seeds 1-3 done and 4 never
// run; sam has seeds 1-2 done, 3 failed, 4 never run.
const ACC = { sgd: [0.8, 0.7, 0.75], sam: [0.85, 0.74] };
const LOSS = { sgd: [0.5, 0.6, 0.55], sam: [0.4, 0.5] };
const SECONDS = { sgd: [2, 4, 3], sam: [5, 7] };

function fixture(): string {
  const out = tempDir("sam-sweep-report-");
  const sweep = resolveSweep(
    {
      name: "fixture",
      base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }),
      axes: {
        grid: { seed: [1, 2, 3, 4] },
        zip: { "method.name": ["sgd", "sam"], "method.rho": [null, 0.05] },
      },
      report: { cells: ["method.name"], compare: [[{ "method.name": "sgd" }, { "method.name": "sam" }]] },
    },
    out,
  );
  prepareSweepDir(out, sweep);
  for (const t of sweep.trials) {
    const name = t.values["method.name"] as "sgd" | "sam";
    const i = (t.values.seed as number) - 1;
    const dir = trialDir(out, t.id);
    if (name === "sam" && i === 2) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, "failed.json"),
        JSON.stringify({ id: t.id, error: "step 7: the training loss is NaN" }),
      );
    }
    if (i >= ACC[name].length) continue;
    mkdirSync(dir, { recursive: true });
    const result = {
      id: t.id,
      values: t.values,
      config_sha256: t.configSha256,
      final_test_accuracy: ACC[name][i],
      final_test_loss: LOSS[name][i],
      final_train_loss: 0.3,
      steps: 24,
      epochs: 4,
      weights_sha256: "0".repeat(64),
      metrics: [],
    };
    writeFileSync(join(dir, "result.json"), JSON.stringify(result));
    writeFileSync(join(dir, "summary.json"), JSON.stringify({ ...result, seconds: SECONDS[name][i] }));
  }
  return out;
}

describe("sweepReport", () => {
  it("gives per cell the mean, the standard error (s / sqrt(n)) and n of each metric", () => {
    const r = sweepReport(fixture());
    expect(r.cells.map((c) => c.label)).toEqual(["method.name=sgd", "method.name=sam"]);
    const [sgd, sam] = r.cells;
    // sgd: 0.80, 0.70, 0.75: mean 0.75, deviations 0.05, -0.05, 0: s^2 = 0.005/2, se = 0.05/sqrt(3)
    expect(sgd!.metrics.final_test_accuracy!.mean).toBeCloseTo(0.75, 12);
    expect(sgd!.metrics.final_test_accuracy!.se).toBeCloseTo(0.05 / Math.sqrt(3), 12);
    expect(sgd!.metrics.final_test_accuracy!.n).toBe(3);
    // sam: 0.85, 0.74: mean 0.795, s = 0.11/sqrt(2), se = s/sqrt(2) = 0.055
    expect(sam!.metrics.final_test_accuracy!.mean).toBeCloseTo(0.795, 12);
    expect(sam!.metrics.final_test_accuracy!.se).toBeCloseTo(0.055, 12);
    expect(sam!.metrics.final_test_loss!.mean).toBeCloseTo(0.45, 12);
    // seconds from summary.json: sgd 2, 4, 3: mean 3, s = 1, se = 1/sqrt(3)
    expect(sgd!.metrics.seconds!.mean).toBe(3);
    expect(sgd!.metrics.seconds!.se).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(sgd!.metrics.final_validation_accuracy).toBeUndefined();
  });

  it("pairs the compared cells by seed: B - A over the seeds both have", () => {
    const r = sweepReport(fixture());
    const c = r.comparisons[0]!;
    expect([c.a, c.b]).toEqual(["method.name=sgd", "method.name=sam"]);
    // seeds 1, 2: d = 0.05, 0.04: mean 0.045, se 0.005; seed 3 only in sgd
    expect(c.difference!.mean).toBeCloseTo(0.045, 12);
    expect(c.difference!.se).toBeCloseTo(0.005, 12);
    expect(c.difference!.n).toBe(2);
    expect(c.difference!.onlyA).toEqual(['{"seed":3}']);
    expect(c.bBetter).toBe(2);
  });

  it("reports the failed and the missing trials", () => {
    const r = sweepReport(fixture());
    expect(r.trials).toBe(8);
    expect(r.done).toBe(5);
    expect(r.failed).toEqual([
      { id: "seed=3,method.name=sam,method.rho=0.05", error: "step 7: the training loss is NaN" },
    ]);
    expect(r.missing).toEqual([
      "seed=4,method.name=sgd,method.rho=null",
      "seed=4,method.name=sam,method.rho=0.05",
    ]);
  });

  it("ignores a result.json of another config (the trial counts as missing)", () => {
    const out = fixture();
    const file = join(trialDir(out, "seed=1,method.name=sgd,method.rho=null"), "result.json");
    writeFileSync(
      file,
      JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), config_sha256: "other" }),
    );
    const r = sweepReport(out);
    expect(r.cells[0]!.metrics.final_test_accuracy!.n).toBe(2);
    expect(r.missing).toContain("seed=1,method.name=sgd,method.rho=null");
  });

  it("writes a markdown table (best cell in bold), report.json and report.md", async () => {
    const out = fixture();
    const md = reportMarkdown(sweepReport(out));
    expect(md).toContain("5 of 8 trials done, 1 failed, 2 missing (not run or unfinished).");
    expect(md).toContain("| cell | n | final_test_accuracy | final_test_loss | final_train_loss | seconds |");
    expect(md).toContain(
      "| method.name=sgd | 3 | 0.7500 ± 0.0289 | 0.5500 ± 0.0289 | 0.3000 ± 0.0000 | 3.00 ± 0.58 |",
    );
    expect(md).toContain("| method.name=sam | 2 | **0.7950 ± 0.0550** |");
    expect(md).toContain(
      "| method.name=sam | method.name=sgd | 2 | 0.0450 ± 0.0050 (unpaired left out: 1) | 2 of 2 |",
    );
    expect(md).toContain("- seed=3,method.name=sam,method.rho=0.05: step 7: the training loss is NaN");
    const written = await writeSweepReport(out);
    expect(readFileSync(join(out, "report.md"), "utf8")).toBe(written.markdown);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).comparisons[0].difference.n).toBe(2);
    // with @sam/landscape's plotting peers installed (they are, in this repository): the plot files
    expect(written.plotsSkipped).toBeUndefined();
    expect(written.plots).toEqual(["plots/cells.svg", "plots/cells.png"]);
    expect(readFileSync(join(out, "plots", "cells.svg"), "utf8")).toContain("<svg");
    expect(existsSync(join(out, "plots", "cells.png"))).toBe(true);
  });
});

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCase, SHARED_CASES } from "./caseFiles";
import { type MultirateCase, replayMultirateCase } from "./multirateCase";

// float32 replay against the float64 harness, at every step of every run (drift, no-drift in
// the paper's order, weight decay, k = 1): the tolerance the issue sets.
const ATOL = 1e-5;
const RTOL = 1e-4;

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

describe("multirate reference case", () => {
  const { data, source } = loadCase("multirate_case1.json");
  const c = data as MultirateCase & {
    expected: Record<string, { steps: { loss: number; params_after: Record<string, unknown> }[] }>;
  };
  const actual = replayMultirateCase(c);
  for (const run of c.runs) {
    it(`${run.id} matches the float64 reference at every step (${source.includes("shared") ? "shared" : "fixture"} copy)`, () => {
      const expected = c.expected[run.id]!.steps;
      const got = actual[run.id]!.steps;
      expect(got.length).toBe(expected.length);
      expected.forEach((e, t) => {
        const g = got[t]!;
        expect(Math.abs(g.loss - e.loss), `loss at step ${t}`).toBeLessThanOrEqual(
          ATOL + RTOL * Math.abs(e.loss),
        );
        for (const [name, value] of Object.entries(e.params_after)) {
          const want = flat(value);
          const have = flat(g.params_after[name]);
          want.forEach((w, i) => {
            expect(Math.abs(have[i]! - w), `${name}[${i}] after step ${t}`).toBeLessThanOrEqual(
              ATOL + RTOL * Math.abs(w),
            );
          });
        }
      });
    });
  }

  it("refuses a run with a field it does not know, naming it", () => {
    const bad = { ...c, runs: [{ ...c.runs[0]!, lag: 2 }] } as unknown as MultirateCase;
    expect(() => replayMultirateCase(bad)).toThrow(
      /run "drift_k2" has the field\(s\) "lag", which this replayer does not know/,
    );
  });

  it.runIf(existsSync(join(SHARED_CASES, "..", "multirate_reference.py")))(
    "the harness's compare accepts the replay",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "multirate-"));
      const out = join(dir, "actual.json");
      writeFileSync(out, JSON.stringify(actual));
      const report = execFileSync("python3", [
        join(SHARED_CASES, "..", "multirate_reference.py"),
        "compare",
        "--expected",
        join(SHARED_CASES, "multirate_case1.json"),
        "--actual",
        out,
      ]).toString();
      expect(report).not.toMatch(/FAIL/);
    },
  );
});

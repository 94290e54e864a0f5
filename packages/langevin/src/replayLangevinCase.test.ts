import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { replayLangevinCase } from "./replayLangevinCase";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "__fixtures__", "langevin_case1.json");
const shared = join(here, "../../../../shared/reference/cases/langevin_case1.json");

/** Flattens nested numbers in a stable key order (objects by sorted key), as the reference does. */
function flatten(x: unknown): number[] {
  if (typeof x === "number") return [x];
  if (Array.isArray(x)) return x.flatMap(flatten);
  if (x && typeof x === "object") {
    return Object.keys(x)
      .sort()
      .flatMap((k) => flatten((x as Record<string, unknown>)[k]));
  }
  throw new Error(`not a number: ${String(x)}`);
}

/** rtol 1e-4, atol 1e-5: the spec's float32 tolerance (section 5.2; ~100x the float32 round-off). */
function compareCase(path: string) {
  const caseJson = JSON.parse(readFileSync(path, "utf8"));
  const actual = replayLangevinCase(caseJson) as Record<string, Record<string, unknown>>;
  for (const run of caseJson.runs as { name: string; expected: Record<string, unknown> }[]) {
    const got = actual[run.name]!;
    expect(Object.keys(got).sort(), `${run.name}: keys`).toEqual(Object.keys(run.expected).sort());
    for (const key of Object.keys(run.expected)) {
      const e = flatten(run.expected[key]);
      const a = flatten(got[key]);
      expect(a.length, `${run.name}.${key}: length`).toBe(e.length);
      let worst = 0;
      let where = -1;
      e.forEach((ev, i) => {
        const excess = Math.abs(a[i]! - ev) - (1e-5 + 1e-4 * Math.abs(ev));
        if (excess > worst) {
          worst = excess;
          where = i;
        }
      });
      expect(where, `${run.name}.${key}[${where}]: got ${a[where]}, expected ${e[where]}`).toBe(-1);
    }
  }
}

describe("replayLangevinCase", () => {
  it("replays every run of the packaged langevin_case1.json to rtol 1e-4, atol 1e-5", () => {
    compareCase(fixture);
  });
  const sharedTitle = existsSync(shared)
    ? "the shared reference copy"
    : "the shared reference copy (skipped: ../shared/reference/cases/langevin_case1.json is not present)";
  describe.skipIf(!existsSync(shared))(sharedTitle, () => {
    it("replays the shared reference langevin_case1.json to rtol 1e-4, atol 1e-5", () => {
      compareCase(shared);
    });
  });
  it("rejects input that is not a case file, naming what it needs", () => {
    expect(() => replayLangevinCase({ foo: 1 })).toThrow(/data, inits and runs/);
  });
});

import { describe, expect, it } from "vitest";
import { loadCase } from "./caseFiles";
import { replaySamCase, type SamCase } from "./samCase";
import { mismatches } from "./stepMismatches";

type Expected = Record<
  string,
  {
    steps: {
      loss: number;
      loss_perturbed: number | null;
      params_after: Record<string, unknown>;
      bn_after?: Record<string, unknown>;
    }[];
  }
>;

for (const file of ["sam_mlp_case1.json", "sam_mlp_case2_bn.json"]) {
  describe(`SAM reference case ${file}`, () => {
    const { data, source } = loadCase(file);
    const c = data as SamCase & { expected: Expected };
    const actual = replaySamCase(c).expected;
    for (const run of c.runs) {
      it(`${run.id} matches the float64 reference at every step (${source.includes("shared") ? "shared" : "fixture"} copy)`, () => {
        const fails: string[] = [];
        c.expected[run.id]!.steps.forEach((es, t) => {
          const as = actual[run.id]!.steps[t]!;
          fails.push(...mismatches(`step ${t} loss`, as.loss, es.loss));
          if (es.loss_perturbed !== null)
            fails.push(...mismatches(`step ${t} loss_perturbed`, as.loss_perturbed, es.loss_perturbed));
          for (const [name, ev] of Object.entries(es.params_after))
            fails.push(...mismatches(`step ${t} ${name}`, as.params_after[name], ev));
          for (const [name, ev] of Object.entries(es.bn_after ?? {}))
            fails.push(...mismatches(`step ${t} bn ${name}`, as.bn_after?.[name], ev));
        });
        expect(fails).toEqual([]);
      });
    }
  });
}

describe("a SAM case this replayer cannot run", () => {
  const { data } = loadCase("sam_mlp_case1.json");
  const c = data as SamCase;
  it("refuses an unknown method, naming it (it used to run as plain SAM)", () => {
    const bad = { ...c, runs: [{ ...c.runs[0]!, method: "fsam" }] } as unknown as SamCase;
    expect(() => replaySamCase(bad)).toThrow(
      /names the method "fsam", which this replayer does not know \(known: sgd, sam, asam, usam, gsam, looksam, msam\)/,
    );
  });
  it("refuses an unknown field of a run or of its base, naming it", () => {
    const extra = { ...c, runs: [{ ...c.runs[0]!, beta: 0.1 }] } as unknown as SamCase;
    expect(() => replaySamCase(extra)).toThrow(/has the field\(s\) "beta"/);
    const base = {
      ...c,
      runs: [{ ...c.runs[0]!, base: { ...c.runs[0]!.base, dampening2: 0 } }],
    } as unknown as SamCase;
    expect(() => replaySamCase(base)).toThrow(/base run .* has the field\(s\) "dampening2"/);
  });
});

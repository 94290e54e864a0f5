import { describe, expect, it } from "vitest";
import { loadCase } from "./caseFiles";
import { replaySamCase, type SamCase } from "./samCase";
import { maxDiff, mismatches } from "./stepMismatches";

type Step = {
  loss: number;
  loss_perturbed?: number | null;
  params_after: Record<string, unknown>;
  bn_after?: Record<string, unknown>;
};
type Expected = Record<string, { steps: Step[] }>;

// GSAM, LookSAM, momentum-SAM and SAM with gradient accumulation (issue 18) against the float64
// harness, every step of every run: parameters, BatchNorm running statistics, both losses; a
// one-pass step (LookSAM's reuse steps, momentum-SAM) has no perturbed loss, here as there.
for (const file of ["sam_variants_case1.json", "sam_variants_case2_bn.json"]) {
  describe(`SAM variants reference case ${file}`, () => {
    const { data, source } = loadCase(file);
    const c = data as SamCase & { expected: Expected };
    const actual = replaySamCase(c).expected;
    const copy = source.includes("shared") ? "shared" : "fixture";
    for (const run of c.runs) {
      it(`${run.id} (${run.method}) matches the float64 reference at every step (${copy} copy)`, () => {
        const fails: string[] = [];
        let worst = 0;
        c.expected[run.id]!.steps.forEach((es, t) => {
          const as = actual[run.id]!.steps[t]! as Step;
          fails.push(...mismatches(`step ${t} loss`, as.loss, es.loss));
          if (es.loss_perturbed == null) {
            if (as.loss_perturbed != null) fails.push(`step ${t}: a perturbed loss on a one-pass step`);
          } else {
            fails.push(...mismatches(`step ${t} loss_perturbed`, as.loss_perturbed, es.loss_perturbed));
          }
          for (const [name, ev] of Object.entries(es.params_after)) {
            fails.push(...mismatches(`step ${t} ${name}`, as.params_after[name], ev));
            worst = Math.max(worst, maxDiff(as.params_after[name], ev));
          }
          for (const [name, ev] of Object.entries(es.bn_after ?? {}))
            fails.push(...mismatches(`step ${t} bn ${name}`, as.bn_after?.[name], ev));
        });
        expect(fails).toEqual([]);
        expect(actual[run.id]!.steps).toHaveLength(c.steps);
        console.log(`${file} ${run.id}: max |param diff| ${worst.toExponential(2)}`);
      });
    }
  });
}

describe("the variant runs' one-pass steps", () => {
  const { data } = loadCase("sam_variants_case1.json");
  const c = data as SamCase;
  it("LookSAM k = 3 takes two passes at steps 0, 3, 6 only; momentum-SAM never", () => {
    const runs = c.runs.filter((r) => r.id === "looksam_k3" || r.id === "msam");
    const out = replaySamCase({ ...c, runs }).expected;
    const twoPass = (id: string) =>
      out[id]!.steps.flatMap((s, t) => ((s as Step).loss_perturbed != null ? [t] : []));
    expect(twoPass("looksam_k3")).toEqual([0, 3, 6]);
    expect(twoPass("msam")).toEqual([]);
  });
  it("refuses an unknown accumulate_mode, naming it", () => {
    const bad = {
      ...c,
      runs: [{ ...c.runs.find((r) => r.accumulate)!, accumulate_mode: "sum" }],
    } as unknown as SamCase;
    expect(() => replaySamCase(bad)).toThrow(/accumulate_mode "sum" is unknown/);
  });
});

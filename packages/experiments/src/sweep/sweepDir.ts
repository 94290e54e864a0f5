import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SamConfigError } from "@sam/core";
import { atomicWrite } from "../fs/atomicWrite";
import type { ResolvedSweep, SweepTrial } from "./resolveSweep";
import type { TrialResult } from "./trialResult";

/**
 * The format tag of `sweep.json`.
 *
 * @example
 * ```ts
 * SWEEP_FORMAT; // "sam-sweep/1"
 * ```
 */
export const SWEEP_FORMAT = "sam-sweep/1";

/** `DIR/sweep.json`: the resolved spec and the trials, written before any trial runs. */
export interface SweepFile {
  format: typeof SWEEP_FORMAT;
  name: string;
  /** The spec as validated (`base` as written: inline or a path). */
  spec: ResolvedSweep["spec"];
  /** The base config, read. */
  base: unknown;
  /** The directory the configs' paths resolve in. */
  root: string;
  axes: string[];
  cellAxes: string[];
  trials: { id: string; values: Record<string, unknown>; configSha256: string }[];
}

/** Where a trial stands in a sweep directory. */
export type TrialStatus = "done" | "failed" | "started" | "new";

/** `DIR/trials/<id>/failed.json`: why the last attempt of a trial failed. */
export interface TrialFailure {
  id: string;
  error: string;
  exitCode: number | null;
  /** The last lines the trial wrote on stderr. */
  stderr: string;
}

/**
 * A trial's run directory: `DIR/trials/<id>`.
 *
 * @example
 * ```ts
 * trialDir("sweeps/a", "seed=1"); // "sweeps/a/trials/seed=1"
 * ```
 */
export function trialDir(out: string, id: string): string {
  return join(out, "trials", id);
}

/**
 * Where a trial stands: `done` (its `result.json` exists, for this config), `failed` (its last
 * attempt wrote `failed.json`), `started` (its run directory exists: it resumes from its last
 * checkpoint) or `new`.
 *
 * @example
 * ```ts
 * trialStatus("sweeps/a", { id: "seed=1", configSha256: "..." }); // "new"
 * ```
 */
export function trialStatus(out: string, trial: Pick<SweepTrial, "id" | "configSha256">): TrialStatus {
  const dir = trialDir(out, trial.id);
  const result = join(dir, "result.json");
  if (existsSync(result)) {
    const r = JSON.parse(readFileSync(result, "utf8")) as TrialResult;
    if (r.config_sha256 === trial.configSha256) return "done";
  }
  if (existsSync(join(dir, "failed.json"))) return "failed";
  return existsSync(dir) ? "started" : "new";
}

/**
 * Readies a sweep directory: checks that an existing `sweep.json` is of the same sweep, then
 * writes the new one. The same spec resumes; a spec that only adds trials (another seed,
 * another rho) runs the new ones too; a spec that changes a trial's config or drops a trial is
 * refused, naming the trial, since the directory's results would no longer be those of the spec.
 * The `report` section may change freely.
 *
 * @throws SamConfigError when the directory holds another sweep.
 *
 * @example
 * ```ts
 * prepareSweepDir("sweeps/a", loadSweepSpec("sweep.json"));
 * ```
 */
export function prepareSweepDir(out: string, sweep: ResolvedSweep): SweepFile {
  const file = join(out, "sweep.json");
  const next: SweepFile = {
    format: SWEEP_FORMAT,
    name: sweep.spec.name,
    spec: sweep.spec,
    base: sweep.base,
    root: sweep.root,
    axes: [...sweep.axes],
    cellAxes: [...sweep.cellAxes],
    trials: sweep.trials.map((t) => ({ id: t.id, values: { ...t.values }, configSha256: t.configSha256 })),
  };
  if (existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, "utf8")) as SweepFile;
    const now = new Map(next.trials.map((t) => [t.id, t]));
    const problems: string[] = [];
    if (previous.name !== next.name)
      problems.push(`its name is ${JSON.stringify(previous.name)}, the spec's ${JSON.stringify(next.name)}`);
    for (const t of previous.trials) {
      const n = now.get(t.id);
      if (!n) problems.push(`trial ${t.id} is not in the spec any more`);
      else if (n.configSha256 !== t.configSha256) problems.push(`trial ${t.id} has another config now`);
    }
    if (problems.length > 0) {
      throw new SamConfigError(
        `--out ${out} holds another sweep (${file}):\n${problems
          .slice(0, 10)
          .map((p) => `- ${p}`)
          .join(
            "\n",
          )}\nRun the spec it was started with to resume it, add trials only (new axis values), or choose a new --out.`,
      );
    }
  }
  mkdirSync(join(out, "trials"), { recursive: true });
  atomicWrite(file, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/**
 * Reads `DIR/sweep.json`.
 *
 * @throws SamConfigError when it is missing or not a sweep file.
 *
 * @example
 * ```ts
 * readSweepFile("sweeps/a").trials.length;
 * ```
 */
export function readSweepFile(out: string): SweepFile {
  const file = join(out, "sweep.json");
  let json: SweepFile;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as SweepFile;
  } catch (e) {
    throw new SamConfigError(
      `${file}: cannot read it (${(e as Error).message}); give the --out directory of a sam-sweep run.`,
    );
  }
  if (json.format !== SWEEP_FORMAT) {
    throw new SamConfigError(`${file}: its format is ${JSON.stringify(json.format)}, not ${SWEEP_FORMAT}.`);
  }
  return json;
}

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { SamConfigError } from "@sam/core";
import { describeIssue, parseRunConfig } from "../config/parseRunConfig";
import type { RunConfig, RunConfigInput } from "../config/runConfig";
import { configSha256 } from "../run/trainRun";
import { expandTrials, setPath } from "./expandTrials";
import { type SweepSpec, sweepSpecSchema } from "./sweepSpec";
import { canonicalJson } from "./trialId";

/**
 * The metrics a report can give for each trial: the deterministic results of `result.json` and
 * the training time of `summary.json`.
 *
 * @example
 * ```ts
 * REPORT_METRICS.includes("final_test_accuracy"); // true
 * ```
 */
export const REPORT_METRICS = [
  "final_test_accuracy",
  "final_test_loss",
  "final_train_loss",
  "final_validation_accuracy",
  "final_validation_loss",
  "seconds",
] as const;

/** One trial of a resolved sweep: its axis values, its id and its validated config. */
export interface SweepTrial {
  /** Directory name under `DIR/trials/` (see `trialId`). */
  readonly id: string;
  /** Field path -> value, for every axis. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The trial's sam-train config, validated, defaults filled in. */
  readonly config: RunConfig;
  /** SHA-256 of the config's canonical JSON (see `configSha256`). */
  readonly configSha256: string;
}

/** A sweep spec, validated, with its base config read and every trial's config validated. */
export interface ResolvedSweep {
  readonly spec: SweepSpec;
  /** The base config (read from its file when `spec.base` is a path). */
  readonly base: RunConfigInput;
  /** The directory the configs' paths (data files, `model.init.from`) resolve in. */
  readonly root: string;
  /** Every axis, in the spec's order (grid, then zip). */
  readonly axes: readonly string[];
  /** The axes that define a cell. */
  readonly cellAxes: readonly string[];
  readonly trials: readonly SweepTrial[];
}

function invalid(what: string, errors: readonly string[]): SamConfigError {
  return new SamConfigError(`${what} is invalid:\n${errors.map((e) => `- ${e}`).join("\n")}`);
}

/**
 * The label of the cell a trial belongs to: its values of the cell axes, e.g.
 * `method.name=sam, method.rho=0.05`; `(all)` when no axis defines cells.
 *
 * @example
 * ```ts
 * cellLabel({ seed: 1, "method.name": "sam" }, ["method.name"]); // "method.name=sam"
 * ```
 */
export function cellLabel(values: Readonly<Record<string, unknown>>, cellAxes: readonly string[]): string {
  if (cellAxes.length === 0) return "(all)";
  return cellAxes
    .map((k) => `${k}=${typeof values[k] === "string" ? values[k] : JSON.stringify(values[k] ?? null)}`)
    .join(", ");
}

/**
 * Validates a sweep spec (parsed JSON) and resolves it: reads the base config when `base` is a
 * path (relative to `specDir`), expands the axes into trials, and validates every trial's
 * config with the sam-train schema, before anything runs. All problems are listed in one error,
 * each naming the field (or the trial and its field), the value and what to do.
 *
 * @param input - The spec as parsed from JSON.
 * @param specDir - The spec file's directory (for a `base` path).
 * @param what - What the spec is, for the error's first line (e.g. its file name).
 * @throws SamConfigError listing every problem.
 *
 * @example
 * ```ts
 * import { resolveSweep } from "@sam/experiments";
 *
 * const sweep = resolveSweep({
 *   name: "tiny",
 *   base: { model: { builder: "mlp" }, data: { source: "spirals" }, method: { name: "sgd", hyper: { lr: 0.1 } }, steps: 20 },
 *   axes: { grid: { seed: [1, 2, 3], "method.name": ["sgd", "momentum"] } },
 * }, ".");
 * sweep.trials.length; // 6
 * sweep.cellAxes; // ["method.name"]
 * ```
 */
export function resolveSweep(input: unknown, specDir: string, what = "sweep spec"): ResolvedSweep {
  const parsed = sweepSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw invalid(
      what,
      parsed.error.issues.map((i) => describeIssue(i, input, sweepSpecSchema)),
    );
  }
  const spec = parsed.data;
  const errors: string[] = [];

  let base: RunConfigInput;
  let root = resolve(specDir);
  if (typeof spec.base === "string") {
    const file = resolve(specDir, spec.base);
    try {
      base = JSON.parse(readFileSync(file, "utf8")) as RunConfigInput;
    } catch (e) {
      throw invalid(what, [
        `base is ${JSON.stringify(spec.base)}: cannot read ${file} as JSON (${(e as Error).message}); give the path of a sam-train config relative to the spec's directory, or the config inline.`,
      ]);
    }
    root = dirname(file);
  } else {
    base = spec.base as RunConfigInput;
  }

  const grid = Object.keys(spec.axes.grid ?? {});
  const zip = Object.keys(spec.axes.zip ?? {});
  for (const k of zip) {
    if (grid.includes(k)) errors.push(`axes.zip.${k} is also in axes.grid: give each field one axis.`);
  }
  const axes = [...grid, ...zip];
  const r = spec.report;
  const metrics: readonly string[] = REPORT_METRICS;
  if (!metrics.includes(r.metric)) {
    errors.push(
      `report.metric is ${JSON.stringify(r.metric)}: allowed values are ${REPORT_METRICS.map((m) => JSON.stringify(m)).join(", ")}.`,
    );
  }
  for (const [i, c] of (r.cells ?? []).entries()) {
    if (!axes.includes(c)) {
      errors.push(
        `report.cells[${i}] is ${JSON.stringify(c)}, which is not an axis: the axes are ${axes.join(", ") || "(none)"}.`,
      );
    }
  }
  const cellAxes = (r.cells ?? axes.filter((a) => a !== "seed")).filter((c) => axes.includes(c));
  if (r.x !== undefined && !cellAxes.includes(r.x)) {
    errors.push(
      `report.x is ${JSON.stringify(r.x)}: it must be one of the cell axes (${cellAxes.join(", ") || "none"}).`,
    );
  }

  let expanded: ReturnType<typeof expandTrials> = [];
  try {
    expanded = expandTrials(spec.axes);
  } catch (e) {
    errors.push((e as Error).message.replace(/^sweep /, ""));
  }
  const seen = new Map<string, number>();
  const trials: SweepTrial[] = [];
  const trialErrors: string[] = [];
  expanded.forEach((t, index) => {
    const previous = seen.get(t.id);
    if (previous !== undefined) {
      errors.push(
        `trials ${previous} and ${index} have the same values ${canonicalJson(t.values)}: remove the repeated value from its axis.`,
      );
      return;
    }
    seen.set(t.id, index);
    let config: unknown = base;
    for (const [path, value] of Object.entries(t.values)) config = setPath(config, path, value);
    try {
      const c = parseRunConfig(config, `trial ${t.id}`);
      trials.push({ id: t.id, values: t.values, config: c, configSha256: configSha256(c) });
    } catch (e) {
      trialErrors.push((e as Error).message);
    }
  });

  // each side of a comparison must pick out exactly one cell
  const labels = [...new Set(trials.map((t) => cellLabel(t.values, cellAxes)))];
  r.compare.forEach((pair, i) => {
    pair.forEach((side, j) => {
      for (const k of Object.keys(side)) {
        if (!cellAxes.includes(k)) {
          errors.push(
            `report.compare[${i}][${j}].${k} is set, but ${k} is not a cell axis: the cell axes are ${cellAxes.join(", ") || "(none)"}.`,
          );
          return;
        }
      }
      const hits = labels.filter((label) => {
        const t = trials.find((x) => cellLabel(x.values, cellAxes) === label)!;
        return Object.entries(side).every(
          ([k, v]) => canonicalJson(t.values[k] ?? null) === canonicalJson(v),
        );
      });
      if (hits.length !== 1) {
        errors.push(
          `report.compare[${i}][${j}] is ${JSON.stringify(side)}, which selects ${hits.length} cells${hits.length ? ` (${hits.join("; ")})` : ""}: give values of the cell axes that select exactly one of ${labels.join("; ")}.`,
        );
      }
    });
  });

  if (errors.length > 0 || trialErrors.length > 0) {
    const shown = trialErrors.slice(0, 10);
    const more =
      trialErrors.length > shown.length
        ? [`... and ${trialErrors.length - shown.length} more trials are invalid.`]
        : [];
    throw invalid(what, [...errors, ...shown.map((e) => e.replace(/\n/g, "\n  ")), ...more]);
  }
  return { spec, base, root, axes, cellAxes, trials };
}

/**
 * Reads a sweep spec file and resolves it (see {@link resolveSweep}).
 *
 * @example
 * ```ts
 * import { loadSweepSpec } from "@sam/experiments";
 *
 * const sweep = loadSweepSpec("packages/experiments/configs/sweep-small.json");
 * sweep.trials.map((t) => t.id);
 * ```
 */
export function loadSweepSpec(file: string): ResolvedSweep {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new SamConfigError(`sweep spec ${file}: cannot read it as JSON (${(e as Error).message}).`);
  }
  return resolveSweep(json, dirname(resolve(file)), `sweep spec ${file}`);
}

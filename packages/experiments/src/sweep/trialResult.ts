import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MetricsLine, TIMING_FIELDS } from "../checkpoint/checkpointState";
import type { RunSummary } from "../run/trainRun";

/**
 * What a trial computed, without anything that depends on the machine or on the way it ran:
 * `result.json` of a trial directory. Two runs of one trial (one stopped and resumed, one on a
 * Redis worker) write byte-identical files; `summary.json` beside it keeps the timings
 * (`seconds`, `images_per_second`), the backend and the resume history.
 */
export interface TrialResult {
  /** The trial's id (its directory name). */
  id: string;
  /** Its axis values. */
  values: Record<string, unknown>;
  /** SHA-256 of its resolved config. */
  config_sha256: string;
  final_test_accuracy: number;
  final_test_loss: number;
  final_train_loss: number;
  final_validation_accuracy?: number;
  final_validation_loss?: number;
  steps: number;
  epochs: number;
  weights_sha256: string;
  /** Every metrics line, without the timing fields (`TIMING_FIELDS`). */
  metrics: Record<string, unknown>[];
}

/**
 * Builds a trial's deterministic result from its run directory's `summary.json` and
 * `metrics.jsonl` (the fields listed in {@link TrialResult}, in a fixed order).
 *
 * @param runDir - The trial's run directory, after sam-train finished.
 * @param trial - The trial's id, values and config hash.
 *
 * @example
 * ```ts
 * import { trialResult } from "@sam/experiments";
 *
 * const result = trialResult("sweeps/a/trials/seed=1", { id: "seed=1", values: { seed: 1 }, configSha256: "..." });
 * result.weights_sha256;
 * ```
 */
export function trialResult(
  runDir: string,
  trial: { id: string; values: Readonly<Record<string, unknown>>; configSha256: string },
): TrialResult {
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary;
  const timing: readonly string[] = TIMING_FIELDS;
  const lines = readFileSync(join(runDir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as MetricsLine);
  const last = lines.at(-1);
  return {
    id: trial.id,
    values: { ...trial.values },
    config_sha256: trial.configSha256,
    final_test_accuracy: summary.final_test_accuracy,
    final_test_loss: summary.final_test_loss,
    final_train_loss: summary.final_train_loss,
    ...(last?.validation_accuracy !== undefined
      ? { final_validation_accuracy: last.validation_accuracy, final_validation_loss: last.validation_loss! }
      : {}),
    steps: summary.steps,
    epochs: summary.epochs,
    weights_sha256: summary.weights_sha256,
    metrics: lines.map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !timing.includes(k)))),
  };
}

/**
 * The text of `result.json`: the result as indented JSON and a newline.
 *
 * @example
 * ```ts
 * declare const result: TrialResult;
 * resultText(result).endsWith("}\n"); // true
 * ```
 */
export function resultText(result: TrialResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

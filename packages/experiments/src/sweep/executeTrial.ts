import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { atomicWrite } from "../fs/atomicWrite";
import type { RunSummary } from "../run/trainRun";
import type { SweepTrial } from "./resolveSweep";
import { runTrialProcess, type TrialProcessOptions } from "./runTrialProcess";
import type { TrialFailure } from "./sweepDir";
import { resultText, type TrialResult, trialResult } from "./trialResult";

/** Options of {@link executeTrial}. */
export interface ExecuteTrialOptions {
  /** The trial's run directory (created when missing). */
  readonly runDir: string;
  /** The directory the config's paths must stay inside. */
  readonly dataRoot: string;
  readonly backend?: string;
  readonly signal?: AbortSignal;
  /** Every stdout line of the child (eval lines). */
  readonly onLine?: (line: string) => void;
  readonly command?: TrialProcessOptions["command"];
}

/** How one attempt at a trial ended. */
export type TrialOutcome =
  | { ok: true; result: TrialResult; summary: RunSummary; seconds: number }
  | { ok: false; failure: TrialFailure; seconds: number; interrupted: boolean };

/**
 * Runs one trial in its run directory and records the outcome there: writes the config
 * (`trial.json`), runs sam-train in a child process (resuming from the last checkpoint), then
 * writes `result.json` (the deterministic result, see `trialResult`) or `failed.json` (the
 * error and the end of stderr). An aborted trial writes neither: it resumes next time.
 *
 * @example
 * ```ts
 * import { executeTrial, type SweepTrial } from "@sam/experiments";
 *
 * declare const trial: SweepTrial;
 * const outcome = await executeTrial(trial, { runDir: "sweeps/a/trials/seed=1", dataRoot: "." });
 * if (outcome.ok) outcome.result.final_test_accuracy;
 * ```
 */
export async function executeTrial(trial: SweepTrial, options: ExecuteTrialOptions): Promise<TrialOutcome> {
  const dir = options.runDir;
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, "trial.json");
  atomicWrite(configFile, `${JSON.stringify(trial.config, null, 2)}\n`);
  const failedFile = join(dir, "failed.json");
  const run = await runTrialProcess({
    config: configFile,
    out: dir,
    dataRoot: options.dataRoot,
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(options.command ? { command: options.command } : {}),
  });
  const interrupted = options.signal?.aborted ?? false;
  if (run.exitCode === 0 && existsSync(join(dir, "summary.json"))) {
    const result = trialResult(dir, trial);
    atomicWrite(join(dir, "result.json"), resultText(result));
    rmSync(failedFile, { force: true });
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as RunSummary;
    return { ok: true, result, summary, seconds: run.seconds };
  }
  const lastLine =
    run.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("sam-train: ") && !l.startsWith("sam-train: backend"))
      .at(-1)
      ?.replace(/^sam-train: /, "") ?? "";
  const failure: TrialFailure = {
    id: trial.id,
    error: interrupted
      ? "interrupted"
      : run.exitCode === null
        ? `sam-train was killed by ${run.signal}${lastLine ? ` (${lastLine})` : ""}`
        : `sam-train exited with code ${run.exitCode}${lastLine ? `: ${lastLine}` : ""}`,
    exitCode: run.exitCode,
    stderr: run.stderr,
  };
  if (!interrupted) atomicWrite(failedFile, `${JSON.stringify(failure, null, 2)}\n`);
  return { ok: false, failure, seconds: run.seconds, interrupted };
}

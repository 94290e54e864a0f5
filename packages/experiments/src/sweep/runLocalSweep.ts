import { availableParallelism } from "node:os";
import type { ResolvedSweep, SweepTrial } from "./resolveSweep";
import { executeTrial } from "./executeTrial";
import type { TrialProcessOptions } from "./runTrialProcess";
import { prepareSweepDir, trialDir, trialStatus } from "./sweepDir";

/** Options of {@link runLocalSweep}. */
export interface LocalSweepOptions {
  /** The sweep directory (`sweep.json`, `trials/<id>/`). */
  readonly out: string;
  /** Trials run at once, each in its own process. Default: the number of cores. */
  readonly workers?: number;
  /** `--backend` of every trial (default: sam-train's own choice). */
  readonly backend?: string;
  /** Aborting kills the running trials (they resume next time) and starts no more. */
  readonly signal?: AbortSignal;
  /** Progress lines (one per trial started, finished, failed, skipped). */
  readonly onProgress?: (line: string) => void;
  /** The command that starts sam-train (default: `samTrainCommand()`). */
  readonly command?: TrialProcessOptions["command"];
}

/** What {@link runLocalSweep} (and the Redis submitter) did: the last line `sam-sweep run` prints. */
export interface SweepRunSummary {
  name: string;
  out: string;
  trials: number;
  /** Trials run (or resumed) to the end now. */
  ran: number;
  /** Trials already done before this run. */
  skipped: number;
  failed: { id: string; error: string }[];
  /** Trials left unfinished by an interruption. */
  interrupted: number;
  /**
   * Trials run at once: `--workers` locally; on Redis, the most trials seen running at the same
   * time (over all worker processes and their `--concurrency`), so 1/workers stays the ideal.
   */
  workers: number;
  /** On Redis: how many worker processes ran trials of this sweep (absent locally). */
  worker_processes?: number;
  /** Wall time of the sweep, seconds. */
  seconds: number;
  /** Sum of the wall times of the trials run now (each from its process's start to its exit). */
  trial_seconds: number;
  /** seconds / trial_seconds: 1/workers is ideal (no overhead, every worker always busy). */
  wall_over_trials: number | null;
}

/**
 * Runs a sweep on this machine: every trial not yet done, `workers` at a time, each a
 * `sam-train` child process with its run directory `OUT/trials/<id>/` (resumed from its last
 * checkpoint when it has one). A failing trial is recorded (`failed.json`) and the others go on.
 *
 * @example
 * ```ts
 * import { loadSweepSpec, runLocalSweep } from "@sam/experiments";
 *
 * const summary = await runLocalSweep(loadSweepSpec("sweep.json"), { out: "sweeps/a", workers: 2 });
 * summary.failed.length; // 0
 * ```
 */
export async function runLocalSweep(
  sweep: ResolvedSweep,
  options: LocalSweepOptions,
): Promise<SweepRunSummary> {
  const start = performance.now();
  const out = options.out;
  const workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  const say = options.onProgress ?? (() => {});
  prepareSweepDir(out, sweep);
  const todo: SweepTrial[] = [];
  let skipped = 0;
  for (const t of sweep.trials) {
    const status = trialStatus(out, t);
    if (status === "done") skipped += 1;
    else todo.push(t);
  }
  const total = sweep.trials.length;
  say(
    `${sweep.spec.name}: ${total} trials, ${skipped} already done, ${todo.length} to run on ${workers} workers`,
  );
  const failed: { id: string; error: string }[] = [];
  let ran = 0;
  let interrupted = 0;
  let trialSeconds = 0;
  let next = 0;
  let finished = skipped;
  const worker = async () => {
    while (next < todo.length && !options.signal?.aborted) {
      const t = todo[next++]!;
      const status = trialStatus(out, t);
      say(
        `start ${t.id}${status === "new" ? "" : ` (${status === "failed" ? "again, after a failure" : "resuming"})`}`,
      );
      const outcome = await executeTrial(t, {
        runDir: trialDir(out, t.id),
        dataRoot: sweep.root,
        ...(options.backend ? { backend: options.backend } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.command ? { command: options.command } : {}),
      });
      trialSeconds += outcome.seconds;
      if (outcome.ok) {
        ran += 1;
        finished += 1;
        say(
          `[${finished}/${total}] done ${t.id} in ${outcome.seconds.toFixed(1)} s: final_test_accuracy ${outcome.result.final_test_accuracy.toFixed(4)}`,
        );
      } else if (outcome.interrupted) {
        interrupted += 1;
        say(`interrupted ${t.id} (it resumes from its last checkpoint next time)`);
      } else {
        failed.push({ id: t.id, error: outcome.failure.error });
        finished += 1;
        say(`[${finished}/${total}] FAILED ${t.id}: ${outcome.failure.error}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, Math.max(todo.length, 1)) }, worker));
  interrupted += todo.length - next;
  const seconds = (performance.now() - start) / 1000;
  return {
    name: sweep.spec.name,
    out,
    trials: total,
    ran,
    skipped,
    failed,
    interrupted,
    workers,
    seconds: Number(seconds.toFixed(3)),
    trial_seconds: Number(trialSeconds.toFixed(3)),
    wall_over_trials: trialSeconds > 0 ? Number((seconds / trialSeconds).toFixed(4)) : null,
  };
}

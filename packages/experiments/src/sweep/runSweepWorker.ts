import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { Job } from "bullmq";
import type { RunSummary } from "../run/trainRun";
import { executeTrial } from "./executeTrial";
import { loadBullmq, TRIALS_QUEUE } from "./loadBullmq";
import type { TrialProcessOptions } from "./runTrialProcess";
import { checkSweepJob } from "./sweepJob";
import type { TrialResult } from "./trialResult";

/** What a trial job returns through Redis: the deterministic result and the run's summary. */
export interface TrialJobResult {
  result: TrialResult;
  summary: RunSummary;
}

/** Options of {@link runSweepWorker}. */
export interface SweepWorkerOptions {
  /** The Redis URL (`redis://` or `rediss://`, with its password). */
  readonly redis: string;
  /** Every path a job names (its run directory, the config's data) must stay inside this directory. */
  readonly root: string;
  /** Trials run at once by this worker, each in its own process. Default 1. */
  readonly concurrency?: number;
  /** BullMQ's lock duration, ms: a worker silent for this long is presumed dead. Default 30,000. */
  readonly lockDuration?: number;
  /** BullMQ's stalled-job check interval, ms. Default 30,000. */
  readonly stalledInterval?: number;
  /** `--backend` of every trial. */
  readonly backend?: string;
  /** Aborting stops the worker: its trials are killed, their jobs go back to the queue when their locks expire. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  readonly command?: TrialProcessOptions["command"];
}

const STEP = /^step (\d+) .*test_acc ([\d.]+)/;

/**
 * A sweep worker: takes trial jobs from the queue (BullMQ on Redis) and runs each in a sam-train
 * child process in its run directory under `root`, reporting progress (`job.updateProgress`,
 * from the child's eval lines), and returns the result through Redis. It trusts nothing it is
 * sent: the job's data is checked (`checkSweepJob`: schema, config, paths under `root`), and a
 * malformed job fails alone, at once and for good (BullMQ's `UnrecoverableError`), with its
 * error. A trial already done in a shared run directory is returned without running again; a
 * trial whose worker died is handed to another by BullMQ's stalled-job check, which resumes it
 * from its last checkpoint when the run directory is shared, or starts it.
 *
 * @returns When the signal aborts it: how many jobs it completed and failed.
 *
 * @example
 * ```ts
 * import { runSweepWorker } from "@sam/experiments";
 *
 * const stop = new AbortController();
 * process.on("SIGTERM", () => stop.abort());
 * await runSweepWorker({ redis: "redis://:s3cret@10.0.0.5:6379", root: "/srv/sweeps", concurrency: 2, signal: stop.signal });
 * ```
 */
export async function runSweepWorker(
  options: SweepWorkerOptions,
): Promise<{ completed: number; failed: number }> {
  const { bullmq, connect, disconnect, display } = await loadBullmq(options.redis);
  const root = resolve(options.root);
  const say = options.onProgress ?? (() => {});
  const stop = new AbortController();
  const processor = async (job: Job): Promise<TrialJobResult> => {
    let checked: ReturnType<typeof checkSweepJob>;
    try {
      checked = checkSweepJob(job.data, root);
    } catch (e) {
      throw new bullmq.UnrecoverableError((e as Error).message);
    }
    const { trial, runDir, sweep } = checked;
    const name = `${sweep}/${trial.id}`;
    const resultFile = join(runDir, "result.json");
    if (existsSync(resultFile)) {
      const result = JSON.parse(readFileSync(resultFile, "utf8")) as TrialResult;
      if (result.config_sha256 === trial.configSha256) {
        say(`already done ${name} (job ${job.id})`);
        return {
          result,
          summary: JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary,
        };
      }
    }
    say(`start ${name} (job ${job.id}, attempt ${job.attemptsMade + 1})`);
    const outcome = await executeTrial(trial, {
      runDir,
      dataRoot: root,
      signal: stop.signal,
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.command ? { command: options.command } : {}),
      onLine: (line) => {
        const m = STEP.exec(line);
        if (m) void job.updateProgress({ step: Number(m[1]), test_accuracy: Number(m[2]) }).catch(() => {});
      },
    });
    if (outcome.ok) {
      say(
        `done ${name} in ${outcome.seconds.toFixed(1)} s: final_test_accuracy ${outcome.result.final_test_accuracy.toFixed(4)}`,
      );
      return { result: outcome.result, summary: outcome.summary };
    }
    if (outcome.interrupted) {
      // the worker is stopping: the job's lock expires and the stalled check requeues it
      await new Promise(() => {});
    }
    say(`FAILED ${name}: ${outcome.failure.error}`);
    // exit code 2: a config or usage error, which a retry would only repeat
    if (outcome.failure.exitCode === 2) throw new bullmq.UnrecoverableError(outcome.failure.error);
    throw new Error(outcome.failure.error);
  };
  const worker = new bullmq.Worker(TRIALS_QUEUE, processor, {
    connection: connect(),
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    maxStalledCount: 2,
    name: `${hostname()}:${process.pid}`,
  });
  let completed = 0;
  let failed = 0;
  worker.on("completed", () => {
    completed += 1;
  });
  worker.on("failed", (job, e) => {
    failed += 1;
    if (e instanceof bullmq.UnrecoverableError || e.name === "UnrecoverableError")
      say(`job ${job?.id} refused: ${e.message.split("\n").join(" ")}`);
  });
  worker.on("error", (e) => say(`redis: ${e.message}`));
  await worker.waitUntilReady();
  say(`worker on ${display}, root ${root}, ${options.concurrency ?? 1} at a time`);
  await new Promise<void>((r) => {
    if (options.signal?.aborted) r();
    options.signal?.addEventListener("abort", () => r(), { once: true });
  });
  stop.abort();
  // force: do not wait for the killed trials' jobs; their locks expire and they are requeued
  await worker.close(true);
  disconnect();
  return { completed, failed };
}

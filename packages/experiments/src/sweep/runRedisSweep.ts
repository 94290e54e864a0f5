import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { atomicWrite } from "../fs/atomicWrite";
import { loadBullmq, SWEEPS_QUEUE, TRIALS_QUEUE } from "./loadBullmq";
import type { ResolvedSweep, SweepTrial } from "./resolveSweep";
import type { SweepRunSummary } from "./runLocalSweep";
import type { TrialJobResult } from "./runSweepWorker";
import { prepareSweepDir, type TrialFailure, trialDir, trialStatus } from "./sweepDir";
import { sweepJob } from "./sweepJob";
import { resultText } from "./trialResult";

/** Options of {@link runRedisSweep}. */
export interface RedisSweepOptions {
  /** The sweep directory on this machine (`sweep.json`, `trials/<id>/result.json`, reports). */
  readonly out: string;
  /** The Redis URL (`redis://` or `rediss://`, with its password). */
  readonly redis: string;
  /** The trials' run directories relative to the workers' `--root`: `<remoteOut>/trials/<id>`. Default `sweeps/<name>`. */
  readonly remoteOut?: string;
  /** Attempts per trial (a trial that fails is retried, resuming from its checkpoint). Default 2. */
  readonly attempts?: number;
  /** Aborting stops waiting; the jobs stay queued, and the workers finish them. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  /** Milliseconds between looks at the jobs. Default 500. */
  readonly pollMs?: number;
}

/**
 * Runs a sweep on BullMQ workers: enqueues one job per trial not yet done in `out`, as the
 * children of one flow job (the sweep), then waits for them, writing each returned result into
 * `out/trials/<id>/` (`result.json`, byte for byte what a local run writes, and `summary.json`)
 * or the failure (`failed.json`) — the same layout as {@link runLocalSweep}, so
 * `sam-sweep report` reads either. A result whose config hash or id is not the trial's is
 * refused. Start workers with `sam-sweep worker --redis URL --root DIR` on any machine.
 *
 * @example
 * ```ts
 * import { loadSweepSpec, runRedisSweep } from "@sam/experiments";
 *
 * const summary = await runRedisSweep(loadSweepSpec("sweep.json"), { out: "sweeps/a", redis: "redis://:s3cret@10.0.0.5:6379" });
 * summary.failed; // []
 * ```
 */
export async function runRedisSweep(
  sweep: ResolvedSweep,
  options: RedisSweepOptions,
): Promise<SweepRunSummary> {
  const start = performance.now();
  const { out } = options;
  const name = sweep.spec.name;
  const remoteOut = options.remoteOut ?? `sweeps/${name}`;
  const say = options.onProgress ?? (() => {});
  prepareSweepDir(out, sweep);
  const todo = sweep.trials.filter((t) => trialStatus(out, t) !== "done");
  const skipped = sweep.trials.length - todo.length;
  const summary: SweepRunSummary = {
    name,
    out,
    trials: sweep.trials.length,
    ran: 0,
    skipped,
    failed: [],
    interrupted: 0,
    workers: 0,
    seconds: 0,
    trial_seconds: 0,
    wall_over_trials: null,
  };
  if (todo.length === 0) {
    say(`${name}: ${sweep.trials.length} trials, all done`);
    summary.seconds = Number(((performance.now() - start) / 1000).toFixed(3));
    return summary;
  }
  const { bullmq, connect, disconnect, display } = await loadBullmq(options.redis);
  const flows = new bullmq.FlowProducer({ connection: connect() });
  const queue = new bullmq.Queue(TRIALS_QUEUE, { connection: connect() });
  try {
    const node = await flows.add({
      name: `sweep ${name}`,
      queueName: SWEEPS_QUEUE,
      data: { sweep: name, trials: todo.length, out: remoteOut },
      children: todo.map((t) => ({
        name: t.id,
        queueName: TRIALS_QUEUE,
        data: sweepJob(name, t, `${remoteOut}/trials/${t.id}`),
        opts: {
          attempts: options.attempts ?? 2,
          backoff: { type: "fixed", delay: 1000 },
          // a failed trial does not hold the sweep back: the flow goes on, the report says it failed
          ignoreDependencyOnFailure: true,
        },
      })),
    });
    const pending = new Map<string, SweepTrial>();
    (node.children ?? []).forEach((child, i) => {
      pending.set(child.job.id!, todo[i]!);
    });
    say(
      `${name}: ${summary.trials} trials, ${skipped} already done, ${todo.length} queued on ${display} (flow job ${node.job.id})`,
    );
    const progress = new Map<string, string>();
    const workers = new Set<string>();
    let mostActive = 0;
    let finished = skipped;
    while (pending.size > 0 && !options.signal?.aborted) {
      let active = 0;
      for (const [jobId, t] of [...pending]) {
        // the state first, then the job: a job read first may complete before its state is read
        const state = await queue.getJobState(jobId);
        const job = await bullmq.Job.fromId(queue, jobId);
        if (!job || state === "unknown") {
          pending.delete(jobId);
          summary.failed.push({
            id: t.id,
            error: `its job ${jobId} is gone from the queue (removed by hand?)`,
          });
          continue;
        }
        const dir = trialDir(out, t.id);
        if (state === "completed" || state === "failed") {
          pending.delete(jobId);
          finished += 1;
          if (job.processedOn && job.finishedOn)
            summary.trial_seconds += (job.finishedOn - job.processedOn) / 1000;
          const r = job.returnvalue as TrialJobResult | null;
          let error = state === "failed" ? job.failedReason : null;
          if (!error && (r?.result?.id !== t.id || r.result.config_sha256 !== t.configSha256)) {
            error = `the worker returned a result for ${r?.result?.id ?? "nothing"} (config ${r?.result?.config_sha256 ?? "none"}), not for this trial's config ${t.configSha256}`;
          }
          mkdirSync(dir, { recursive: true });
          if (error) {
            const failure: TrialFailure = { id: t.id, error, exitCode: null, stderr: "" };
            atomicWrite(join(dir, "failed.json"), `${JSON.stringify(failure, null, 2)}\n`);
            summary.failed.push({ id: t.id, error });
            say(`[${finished}/${summary.trials}] FAILED ${t.id}: ${error.split("\n").join(" ")}`);
          } else {
            atomicWrite(join(dir, "result.json"), resultText(r!.result));
            atomicWrite(join(dir, "summary.json"), `${JSON.stringify(r!.summary, null, 2)}\n`);
            rmSync(join(dir, "failed.json"), { force: true });
            summary.ran += 1;
            say(
              `[${finished}/${summary.trials}] done ${t.id}: final_test_accuracy ${r!.result.final_test_accuracy.toFixed(4)}`,
            );
          }
        } else if (state === "active") {
          active += 1;
          if (job.processedBy) workers.add(job.processedBy);
          const p = JSON.stringify(job.progress);
          if (p !== progress.get(jobId) && typeof job.progress === "object") {
            progress.set(jobId, p);
            const { step, test_accuracy } = job.progress as { step?: number; test_accuracy?: number };
            say(`${t.id}: step ${step} test_acc ${test_accuracy}`);
          }
        }
      }
      mostActive = Math.max(mostActive, active);
      if (pending.size > 0) await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
    summary.interrupted = pending.size;
    if (pending.size > 0)
      say(
        `stopped waiting: ${pending.size} trials stay queued and the workers finish them; a re-run queues them again, and a worker returns a trial already done in its run directory at once`,
      );
    summary.workers = mostActive;
    summary.worker_processes = workers.size;
  } finally {
    await Promise.allSettled([flows.close(), queue.close()]);
    disconnect();
  }
  const seconds = (performance.now() - start) / 1000;
  summary.seconds = Number(seconds.toFixed(3));
  summary.trial_seconds = Number(summary.trial_seconds.toFixed(3));
  summary.wall_over_trials =
    summary.trial_seconds > 0 ? Number((seconds / summary.trial_seconds).toFixed(4)) : null;
  return summary;
}

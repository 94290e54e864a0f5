import { SamConfigError } from "@sam/core";
import { z } from "zod";
import { describeIssue, parseRunConfig } from "../config/parseRunConfig";
import { resolveInside } from "../fs/resolveInside";
import { configSha256 } from "../run/trainRun";
import type { SweepTrial } from "./resolveSweep";

/**
 * The format tag of a trial job's data.
 *
 * @example
 * ```ts
 * JOB_FORMAT; // "sam-sweep-job/1"
 * ```
 */
export const JOB_FORMAT = "sam-sweep-job/1";

/**
 * The data of a trial job on the queue: what `sam-sweep run --redis` sends, what a worker reads
 * (and checks: it trusts nothing it is sent).
 *
 * @example
 * ```ts
 * sweepJobSchema.safeParse({ format: "sam-sweep-job/1", sweep: "s", id: "seed=1", values: { seed: 1 }, config: {}, out: "sweeps/s/trials/seed=1" }).success; // true
 * ```
 */
export const sweepJobSchema = z.strictObject({
  format: z.literal(JOB_FORMAT),
  sweep: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a sweep name (letters, digits, ., _, -)"),
  id: z
    .string()
    .max(140)
    .regex(/^[A-Za-z0-9_=,+~-][A-Za-z0-9._=,+~-]*$/, "a trial id (see trialId)"),
  values: z.record(z.string(), z.unknown()),
  config: z.unknown(),
  /** The run directory, relative to the worker's --root. */
  out: z.string().min(1),
});

/** The data of a trial job. */
export type SweepJob = z.infer<typeof sweepJobSchema>;

/**
 * A trial job's data, as the submitter builds it.
 *
 * @param sweep - The sweep's name.
 * @param trial - The trial.
 * @param out - Its run directory relative to the workers' `--root`.
 *
 * @example
 * ```ts
 * declare const trial: SweepTrial;
 * const data = sweepJob("small", trial, `sweeps/small/trials/${trial.id}`);
 * ```
 */
export function sweepJob(sweep: string, trial: SweepTrial, out: string): SweepJob {
  return { format: JOB_FORMAT, sweep, id: trial.id, values: { ...trial.values }, config: trial.config, out };
}

/**
 * Checks a job's data as a worker must: the shape (strict), the config with the same schema as a
 * local run (`parseRunConfig`), and the run directory, resolved under the worker's `root` (no
 * `..`, no absolute path, no symlink out; see `resolveInside`). The config's own paths are
 * checked by sam-train under the same root (`--data-root`).
 *
 * @throws SamConfigError naming the job's field, its value and what is allowed.
 *
 * @example
 * ```ts
 * declare const job: { data: unknown };
 * const { trial, runDir } = checkSweepJob(job.data, "/srv/sweeps");
 * ```
 */
export function checkSweepJob(
  data: unknown,
  root: string,
): { trial: SweepTrial; runDir: string; sweep: string } {
  const parsed = sweepJobSchema.safeParse(data);
  if (!parsed.success) {
    throw new SamConfigError(
      `job data is invalid:\n${parsed.error.issues.map((i) => `- ${describeIssue(i, data, sweepJobSchema)}`).join("\n")}`,
    );
  }
  const job = parsed.data;
  const config = parseRunConfig(job.config, `job ${job.id}: config`);
  const runDir = resolveInside(root, job.out, `job ${job.id}: out`);
  return {
    sweep: job.sweep,
    runDir,
    trial: { id: job.id, values: job.values, config, configSha256: configSha256(config) },
  };
}

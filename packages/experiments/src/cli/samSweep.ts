import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadSweepSpec } from "../sweep/resolveSweep";
import { runLocalSweep } from "../sweep/runLocalSweep";
import { runRedisSweep } from "../sweep/runRedisSweep";
import { runSweepWorker } from "../sweep/runSweepWorker";
import type { TrialProcessOptions } from "../sweep/runTrialProcess";
import { sweepSpecSchema } from "../sweep/sweepSpec";
import { writeSweepReport } from "../sweep/writeSweepReport";

/**
 * The usage text of `sam-sweep`.
 *
 * @example
 * ```ts
 * console.log(SWEEP_USAGE);
 * ```
 */
export const SWEEP_USAGE = `Usage: sam-sweep run SPEC.json --out DIR [--workers N] [--backend KIND]
       sam-sweep run SPEC.json --out DIR --redis URL [--remote-out PATH]
       sam-sweep worker --redis URL --root DIR [--concurrency N] [--backend KIND]
       sam-sweep report DIR
       sam-sweep --print-schema

  run       every trial of the spec not yet done, each a sam-train child process, N at a time
            (default: the number of cores), in DIR/trials/<trial id>/. Run again to resume:
            finished trials are skipped, unfinished ones resume from their last checkpoint.
            With --redis: one BullMQ job per trial (the children of one flow job), run by
            workers; waits, and writes their results into DIR/trials/<trial id>/.
  worker    takes trial jobs from Redis and runs each in a sam-train child process in
            DIR/<remote-out>/trials/<trial id>/ (--remote-out of run; default sweeps/<name>).
            Every path a job names must stay inside --root. Stop it with SIGTERM.
  report    per cell the mean, standard error and count of each metric, the paired differences
            of the compared cells; printed, and written to DIR/report.md, DIR/report.json and
            DIR/plots/.
  --redis URL       redis://[:password@]host[:port][/db], or rediss://... for TLS. Never expose
                    a Redis server without a password (or outside a private network).
  --print-schema    print the spec's JSON schema
`;

/** Where `samSweep` writes, and the signal that interrupts it. */
export interface SamSweepIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM: running trials are killed (they resume next time). */
  signal?: AbortSignal;
  /** The command that starts sam-train (default: `samTrainCommand()`). */
  command?: TrialProcessOptions["command"];
}

const BACKENDS = ["wasm", "tensorflow", "cpu"] as const;

class UsageError extends Error {}

/**
 * The `sam-sweep` command. Progress goes to stderr; `run` and `worker` end with one JSON object
 * on stdout (the run's summary), `report` prints the markdown table there. Returns the exit
 * code: 0 done, 1 a trial failed or the sweep was interrupted, 2 bad usage or spec.
 *
 * @example
 * ```ts
 * const code = await samSweep(["run", "sweep.json", "--out", "sweeps/a", "--workers", "2"], {
 *   stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t),
 * });
 * ```
 */
export async function samSweep(argv: readonly string[], io: SamSweepIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      strict: true,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        workers: { type: "string" },
        redis: { type: "string" },
        "remote-out": { type: "string" },
        root: { type: "string" },
        concurrency: { type: "string" },
        "lock-duration": { type: "string" },
        "stalled-interval": { type: "string" },
        backend: { type: "string" },
        "print-schema": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  try {
    parsed = parse([...argv]);
  } catch (e) {
    io.stderr(`sam-sweep: ${(e as Error).message}\n\n${SWEEP_USAGE}`);
    return 2;
  }
  const v = parsed.values;
  const [command, target, ...rest] = parsed.positionals;
  if (v.help) {
    io.stdout(SWEEP_USAGE);
    return 0;
  }
  if (v["print-schema"]) {
    io.stdout(`${JSON.stringify(z.toJSONSchema(sweepSpecSchema, { io: "input" }), null, 2)}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.stderr(`sam-sweep: ${message}\n\n${SWEEP_USAGE}`);
    return 2;
  };
  if (rest.length > 0) return usage(`unexpected arguments ${rest.join(" ")}.`);
  const say = (line: string) => io.stderr(`sam-sweep: ${line}\n`);
  const whole = (flag: string, min: number): number | undefined => {
    const raw = v[flag as keyof typeof v] as string | undefined;
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      throw new UsageError(`--${flag} is ${JSON.stringify(raw)}: give a whole number of at least ${min}.`);
    }
    return n;
  };
  if (v.backend !== undefined && !BACKENDS.includes(v.backend as never)) {
    return usage(`--backend is ${JSON.stringify(v.backend)}: allowed values are ${BACKENDS.join(", ")}.`);
  }
  const backend = v.backend ? { backend: v.backend } : {};
  try {
    if (command === "report") {
      if (!target) return usage("report needs the sweep's directory: sam-sweep report DIR.");
      const { report, markdown, plots, plotsSkipped } = await writeSweepReport(resolve(target));
      // the table on stdout (sam-sweep report DIR > table.md); the numbers are in DIR/report.json
      io.stdout(markdown);
      if (plotsSkipped) say(`plots not drawn: ${plotsSkipped}`);
      say(
        `${report.done} of ${report.trials} trials in the report: ${join(target, "report.md")}, report.json${plots.length ? ", plots/" : ""}`,
      );
      return 0;
    }
    if (command === "run") {
      if (!target) return usage("run needs a spec: sam-sweep run SPEC.json --out DIR.");
      if (!v.out) return usage("--out is required.");
      const workers = whole("workers", 1) ?? availableParallelism();
      let sweep: ReturnType<typeof loadSweepSpec>;
      try {
        sweep = loadSweepSpec(target);
      } catch (e) {
        io.stderr(`sam-sweep: ${(e as Error).message}\n`);
        return 2;
      }
      const signal = io.signal ? { signal: io.signal } : {};
      const summary = v.redis
        ? await runRedisSweep(sweep, {
            out: resolve(v.out),
            redis: v.redis,
            ...(v["remote-out"] ? { remoteOut: v["remote-out"] } : {}),
            ...signal,
            onProgress: say,
          })
        : await runLocalSweep(sweep, {
            out: resolve(v.out),
            workers,
            ...backend,
            ...signal,
            ...(io.command ? { command: io.command } : {}),
            onProgress: say,
          });
      say(
        `${summary.ran} ran, ${summary.skipped} skipped, ${summary.failed.length} failed${summary.interrupted ? `, ${summary.interrupted} interrupted` : ""} in ${summary.seconds.toFixed(1)} s` +
          (summary.wall_over_trials !== null
            ? ` (wall / sum of trial times ${summary.wall_over_trials.toFixed(3)}; ideal 1/${summary.workers})`
            : ""),
      );
      io.stdout(`${JSON.stringify(summary)}\n`);
      return summary.failed.length > 0 || summary.interrupted > 0 ? 1 : 0;
    }
    if (command === "worker") {
      if (target) return usage(`worker takes no positional argument (${target}).`);
      if (!v.redis || !v.root) return usage(`worker needs ${!v.redis ? "--redis URL" : "--root DIR"}.`);
      const lockDuration = whole("lock-duration", 1000);
      const stalledInterval = whole("stalled-interval", 500);
      const r = await runSweepWorker({
        redis: v.redis,
        root: resolve(v.root),
        concurrency: whole("concurrency", 1) ?? 1,
        ...(lockDuration ? { lockDuration } : {}),
        ...(stalledInterval ? { stalledInterval } : {}),
        ...backend,
        ...(io.signal ? { signal: io.signal } : {}),
        ...(io.command ? { command: io.command } : {}),
        onProgress: (line) => io.stderr(`sam-sweep worker: ${line}\n`),
      });
      io.stdout(`${JSON.stringify(r)}\n`);
      return 0;
    }
    return usage(
      command
        ? `unknown command ${JSON.stringify(command)}: run, worker or report.`
        : "give a command: run, worker or report.",
    );
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    io.stderr(`sam-sweep: ${(e as Error).message}\n`);
    return command === "run" ? 1 : 2;
  }
}

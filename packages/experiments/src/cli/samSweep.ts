import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadSweepSpec } from "../sweep/resolveSweep";
import { runLocalSweep } from "../sweep/runLocalSweep";
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
       sam-sweep report DIR
       sam-sweep --print-schema

  run       every trial of the spec not yet done, each a sam-train child process, N at a time
            (default: the number of cores), in DIR/trials/<trial id>/. Run again to resume:
            finished trials are skipped, unfinished ones resume from their last checkpoint.
  report    per cell the mean, standard error and count of each metric, the paired differences
            of the compared cells; printed, and written to DIR/report.md, DIR/report.json and
            DIR/plots/.
  --print-schema  print the spec's JSON schema
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

/**
 * The `sam-sweep` command. Progress goes to stderr, the last line on stdout is one JSON object
 * (the run's summary, or the report). Returns the exit code: 0 done, 1 a trial failed or the
 * sweep was interrupted, 2 bad usage or spec.
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
  try {
    if (command === "report") {
      if (!target) return usage("report needs the sweep's directory: sam-sweep report DIR.");
      const { report, markdown, plots, plotsSkipped } = await writeSweepReport(resolve(target));
      io.stderr(markdown);
      if (plotsSkipped) say(`plots not drawn: ${plotsSkipped}`);
      io.stdout(`${JSON.stringify({ ...report, plots })}\n`);
      return 0;
    }
    if (command === "run") {
      if (!target) return usage("run needs a spec: sam-sweep run SPEC.json --out DIR.");
      if (!v.out) return usage("--out is required.");
      let workers = availableParallelism();
      if (v.workers !== undefined) {
        workers = Number(v.workers);
        if (!Number.isInteger(workers) || workers < 1) {
          return usage(
            `--workers is ${JSON.stringify(v.workers)}: give a whole number of at least 1, e.g. --workers 2.`,
          );
        }
      }
      if (v.backend !== undefined && !BACKENDS.includes(v.backend as never)) {
        return usage(`--backend is ${JSON.stringify(v.backend)}: allowed values are ${BACKENDS.join(", ")}.`);
      }
      let sweep: ReturnType<typeof loadSweepSpec>;
      try {
        sweep = loadSweepSpec(target);
      } catch (e) {
        io.stderr(`sam-sweep: ${(e as Error).message}\n`);
        return 2;
      }
      const summary = await runLocalSweep(sweep, {
        out: resolve(v.out),
        workers,
        ...(v.backend ? { backend: v.backend } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
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
    return usage(
      command
        ? `unknown command ${JSON.stringify(command)}: run or report.`
        : "give a command: run or report.",
    );
  } catch (e) {
    io.stderr(`sam-sweep: ${(e as Error).message}\n`);
    return command === "report" ? 2 : 1;
  }
}

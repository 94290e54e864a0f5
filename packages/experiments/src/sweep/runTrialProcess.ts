import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** This module's file: the source `.ts` (in the repository) or a built chunk in `dist/`. */
function here(): string {
  try {
    return fileURLToPath(import.meta.url);
  } catch {
    return __filename; // the CommonJS build, where import.meta is empty
  }
}

/**
 * The command line that starts `sam-train` in a child process: `node dist/cli.js` from the
 * built package, or `node --conditions=@sam/source --import tsx src/cli.ts` from the sources
 * (tests, `pnpm sam-sweep` in the repository), with the directory it must run in.
 *
 * @example
 * ```ts
 * import { samTrainCommand } from "@sam/experiments";
 *
 * const { argv, cwd } = samTrainCommand(); // argv[0] is process.execPath
 * ```
 */
export function samTrainCommand(): { argv: string[]; cwd: string } {
  const file = here();
  const dir = dirname(file);
  if (file.endsWith(".ts")) {
    // src/sweep/runTrialProcess.ts: tsx from the package's own dependencies
    const pkg = resolve(dir, "../..");
    return {
      argv: [process.execPath, "--conditions=@sam/source", "--import", "tsx", join(pkg, "src/cli.ts")],
      cwd: pkg,
    };
  }
  const cli =
    [join(dir, "cli.js"), join(dir, "..", "cli.js")].find((f) => existsSync(f)) ?? join(dir, "cli.js");
  return { argv: [process.execPath, cli], cwd: dirname(cli) };
}

/** Options of {@link runTrialProcess}. */
export interface TrialProcessOptions {
  /** The sam-train config file of the trial. */
  readonly config: string;
  /** Its run directory. */
  readonly out: string;
  /** The directory the config's paths must stay inside (`--data-root`). */
  readonly dataRoot: string;
  /** `--backend` of sam-train (default: its own choice). */
  readonly backend?: string;
  /** Aborting kills the child (SIGTERM, then SIGKILL after 5 s). */
  readonly signal?: AbortSignal;
  /** Called with every line the child prints on stdout (its eval lines, then the summary). */
  readonly onLine?: (line: string) => void;
  /** The command that starts sam-train (default {@link samTrainCommand}). */
  readonly command?: { argv: string[]; cwd: string };
}

/** How a trial's child process ended. */
export interface TrialProcessResult {
  /** Its exit code (0: done), or null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Wall time from spawn to exit, in seconds. */
  seconds: number;
  /** The last 4,000 characters it wrote on stderr. */
  stderr: string;
}

/**
 * Runs one trial: `sam-train --config CONFIG --out OUT --resume --data-root ROOT` in a child
 * process (so a crash, a leak or an out-of-memory kill stays in that trial), resuming from the
 * run directory's last checkpoint when it has one. The child exits by itself when this process
 * dies, even by SIGKILL (`SAM_EXIT_WITH_PARENT`).
 *
 * @example
 * ```ts
 * import { runTrialProcess } from "@sam/experiments";
 *
 * const r = await runTrialProcess({ config: "sweeps/a/trials/seed=1/trial.json", out: "sweeps/a/trials/seed=1", dataRoot: "." });
 * r.exitCode; // 0
 * ```
 */
export function runTrialProcess(options: TrialProcessOptions): Promise<TrialProcessResult> {
  const { argv, cwd } = options.command ?? samTrainCommand();
  const args = [
    ...argv.slice(1),
    "--config",
    resolve(options.config),
    "--out",
    resolve(options.out),
    "--resume",
    "--data-root",
    resolve(options.dataRoot),
    ...(options.backend ? ["--backend", options.backend] : []),
  ];
  const start = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      // the child exits when this process dies (see cli.ts): no orphan outlives a killed worker
      env: { ...process.env, SAM_EXIT_WITH_PARENT: "1" },
    });
    let stderr = "";
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        options.onLine?.(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf("\n");
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const abort = () => {
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 5000);
      killTimer.unref();
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener("abort", abort, { once: true });
    child.on("error", (e) => {
      options.signal?.removeEventListener("abort", abort);
      reject(new Error(`cannot start sam-train (${argv.join(" ")}): ${e.message}`));
    });
    child.on("close", (exitCode, signal) => {
      options.signal?.removeEventListener("abort", abort);
      if (killTimer) clearTimeout(killTimer);
      if (pending) options.onLine?.(pending);
      resolvePromise({ exitCode, signal, seconds: (performance.now() - start) / 1000, stderr });
    });
  });
}

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type BackendKind, setupBackend } from "@sam/backend";
import { z } from "zod";
import { parseRunConfig } from "../config/parseRunConfig";
import { runConfigSchema } from "../config/runConfig";
import { trainRun } from "../run/trainRun";
import { progressLine } from "./progressLine";

/**
 * The usage text of `sam-train`.
 *
 * @example
 * ```ts
 * console.log(USAGE);
 * ```
 */
export const USAGE = `Usage: sam-train --config RUN.json --out DIR [--resume] [--backend wasm|tensorflow|cpu]
       sam-train --print-schema

  --config FILE     the run's config (JSON; see --print-schema). Paths in it resolve inside
                    the config's directory, or --data-root.
  --out DIR         the run directory: config.json, metrics.jsonl, summary.json, curves/,
                    checkpoints/step-N/. sam-train writes nowhere else.
  --resume          continue from the newest complete checkpoint in DIR
  --backend KIND    wasm, tensorflow or cpu (default: the best available, see @sam/backend)
  --data-root DIR   the directory every path in the config must stay inside
  --print-schema    print the config's JSON schema and exit
`;

/** Where `samTrain` writes: stdout (metrics lines, the summary), stderr (notes, the progress bar). */
export interface SamTrainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (a progress bar instead of nothing between evals). */
  isTty: boolean;
}

const BACKENDS = ["wasm", "tensorflow", "cpu"] as const;

/**
 * The `sam-train` command: parses `argv`, sets up the backend, runs the config and prints the
 * summary as the last line (one JSON object). Returns the exit code: 0 done, 1 failed, 2 bad
 * usage or config.
 *
 * @example
 * ```ts
 * const code = await samTrain(["--config", "run.json", "--out", "runs/a"], {
 *   stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), isTty: false,
 * });
 * ```
 */
export async function samTrain(argv: readonly string[], io: SamTrainIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      strict: true,
      options: {
        config: { type: "string" },
        out: { type: "string" },
        resume: { type: "boolean", default: false },
        backend: { type: "string" },
        "data-root": { type: "string" },
        "print-schema": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  try {
    args = parse([...argv]);
  } catch (e) {
    io.stderr(`sam-train: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (v["print-schema"]) {
    io.stdout(`${JSON.stringify(z.toJSONSchema(runConfigSchema, { io: "input" }), null, 2)}\n`);
    return 0;
  }
  if (!v.config || !v.out) {
    io.stderr(`sam-train: ${!v.config ? "--config" : "--out"} is required.\n\n${USAGE}`);
    return 2;
  }
  if (v.backend !== undefined && !BACKENDS.includes(v.backend as never)) {
    io.stderr(
      `sam-train: --backend is ${JSON.stringify(v.backend)}: allowed values are ${BACKENDS.join(", ")}.\n`,
    );
    return 2;
  }
  const configPath = resolve(v.config);
  let config: ReturnType<typeof parseRunConfig>;
  try {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(configPath, "utf8"));
    } catch (e) {
      throw new Error(`--config ${v.config}: cannot read it as JSON (${(e as Error).message}).`);
    }
    config = parseRunConfig(json, `config ${v.config}`);
  } catch (e) {
    io.stderr(`sam-train: ${(e as Error).message}\n`);
    return 2;
  }
  let barShown = false;
  const clearBar = () => {
    if (barShown) io.stderr("\r\x1b[2K");
    barShown = false;
  };
  try {
    const choice = await setupBackend(v.backend ? { prefer: v.backend as BackendKind } : {});
    io.stderr(`sam-train: backend ${choice.backend} (${choice.reason})\n`);
    const summary = await trainRun({
      config,
      root: resolve(v["data-root"] ?? dirname(configPath)),
      out: v.out,
      resume: v.resume,
      backend: choice.backend,
      onNote: (n) => {
        clearBar();
        io.stderr(`sam-train: ${n}\n`);
      },
      onEval: (m) => {
        clearBar();
        const val =
          m.validation_accuracy !== undefined
            ? `  val_loss ${m.validation_loss!.toFixed(4)}  val_acc ${m.validation_accuracy.toFixed(4)}`
            : "";
        io.stdout(
          `step ${m.step}  epoch ${m.epoch.toFixed(2)}  train_loss ${m.train_loss.toFixed(4)}${val}  test_loss ${m.test_loss.toFixed(4)}  test_acc ${m.test_accuracy.toFixed(4)}  ${m.images_per_second} img/s\n`,
        );
      },
      ...(io.isTty
        ? {
            onStep: (p) => {
              io.stderr(`\r\x1b[2K${progressLine(p)}`);
              barShown = true;
            },
          }
        : {}),
    });
    clearBar();
    io.stdout(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (e) {
    clearBar();
    io.stderr(`sam-train: ${(e as Error).message}\n`);
    return 1;
  }
}

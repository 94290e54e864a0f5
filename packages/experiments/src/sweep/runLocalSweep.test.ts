import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, tinyConfig } from "../test/tinyConfig";
import { resolveSweep } from "./resolveSweep";
import { runLocalSweep } from "./runLocalSweep";
import { trialDir, trialStatus } from "./sweepDir";

// The pool's logic with a stand-in for sam-train (a few lines of node that write a run
// directory like sam-train's, and log every start and end): fast, and it shows exactly which
// trials ran. The real sam-train runs in runLocalSweep.long.test.ts.
const FAKE = `
const fs = require("node:fs"), path = require("node:path");
const arg = (n) => process.argv[process.argv.indexOf(n) + 1];
const config = JSON.parse(fs.readFileSync(arg("--config"), "utf8"));
const out = arg("--out");
const log = path.join(process.env.FAKE_LOG);
fs.appendFileSync(log, JSON.stringify({ start: path.basename(out), t: Date.now(), resume: process.argv.includes("--resume") }) + "\\n");
setTimeout(() => {
  if (config.method.hyper.lr > 1) { process.stderr.write("sam-train: step 3: the training loss is NaN.\\n"); process.exit(1); }
  const acc = config.seed / 10;
  const line = { step: 24, epoch: 4, train_loss: 0.5, test_loss: 0.6, test_accuracy: acc, seconds: 1.5, images_per_second: 99, backend: "fake" };
  fs.writeFileSync(path.join(out, "metrics.jsonl"), JSON.stringify(line) + "\\n");
  const summary = { name: null, final_test_accuracy: acc, final_test_loss: 0.6, final_train_loss: 0.5, steps: 24, epochs: 4, seconds: 1.5, images_per_second: 99, backend: "fake", weights_sha256: "ab".repeat(32), resumed_from: [], checkpoints: [], curves: [] };
  fs.writeFileSync(path.join(out, "summary.json"), JSON.stringify(summary));
  fs.appendFileSync(log, JSON.stringify({ end: path.basename(out), t: Date.now() }) + "\\n");
  console.log(JSON.stringify(summary));
}, 150);
`;

function setup(lrs: number[] = [0.1]) {
  const dir = tempDir("sam-sweep-pool-");
  const script = join(dir, "fake-sam-train.cjs");
  writeFileSync(script, FAKE);
  const log = join(dir, "log.jsonl");
  writeFileSync(log, "");
  process.env.FAKE_LOG = log;
  const sweep = resolveSweep(
    {
      name: "pool",
      base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }),
      axes: { grid: { seed: [1, 2, 3], "method.hyper.lr": lrs } },
    },
    dir,
  );
  const events = () =>
    readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { start?: string; end?: string; t: number });
  return {
    dir,
    out: join(dir, "sweep"),
    sweep,
    command: { argv: [process.execPath, script], cwd: dir },
    events,
  };
}

describe("runLocalSweep", () => {
  it("runs every trial once, at most `workers` at a time, and writes each deterministic result", async () => {
    const { out, sweep, command, events } = setup([0.1, 0.2]);
    const s = await runLocalSweep(sweep, { out, workers: 2, command });
    expect(s).toMatchObject({ trials: 6, ran: 6, skipped: 0, failed: [], interrupted: 0, workers: 2 });
    const ev = events();
    expect(
      ev
        .filter((e) => e.start)
        .map((e) => e.start)
        .sort(),
    ).toEqual(sweep.trials.map((t) => t.id).sort());
    let running = 0;
    let most = 0;
    for (const e of ev.sort((a, b) => a.t - b.t)) {
      running += e.start ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
    const t = sweep.trials[4]!; // seed 3, lr 0.1
    const result = JSON.parse(readFileSync(join(trialDir(out, t.id), "result.json"), "utf8"));
    expect(result).toEqual({
      id: "seed=3,method.hyper.lr=0.1",
      values: { seed: 3, "method.hyper.lr": 0.1 },
      config_sha256: t.configSha256,
      final_test_accuracy: 0.3,
      final_test_loss: 0.6,
      final_train_loss: 0.5,
      steps: 24,
      epochs: 4,
      weights_sha256: "ab".repeat(32),
      // the metrics lines without seconds, images_per_second, backend
      metrics: [{ step: 24, epoch: 4, train_loss: 0.5, test_loss: 0.6, test_accuracy: 0.3 }],
    });
    expect(JSON.parse(readFileSync(join(trialDir(out, t.id), "trial.json"), "utf8"))).toEqual(t.config);
    expect(s.trial_seconds).toBeGreaterThan(0);
    expect(s.wall_over_trials).toBeCloseTo(s.seconds / s.trial_seconds, 3);
  });

  it("run again, skips the finished trials and runs only what is left", async () => {
    const { out, sweep, command, events } = setup();
    const two = resolveSweep(
      {
        name: "pool",
        base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }),
        axes: { grid: { seed: [1, 2], "method.hyper.lr": [0.1] } },
      },
      out,
    );
    await runLocalSweep(two, { out, workers: 1, command });
    expect(trialStatus(out, sweep.trials[2]!)).toBe("new");
    const s = await runLocalSweep(sweep, { out, workers: 2, command });
    expect(s).toMatchObject({ trials: 3, ran: 1, skipped: 2, failed: [] });
    expect(
      events()
        .filter((e) => e.start)
        .map((e) => e.start),
    ).toEqual(["seed=1,method.hyper.lr=0.1", "seed=2,method.hyper.lr=0.1", "seed=3,method.hyper.lr=0.1"]);
    const again = await runLocalSweep(sweep, { out, workers: 2, command });
    expect(again).toMatchObject({ ran: 0, skipped: 3 });
    expect(events().filter((e) => e.start)).toHaveLength(3);
  });

  it("records a failing trial with its error and runs the others; a re-run retries it", async () => {
    const { out, sweep, command } = setup([0.1, 5]);
    const lines: string[] = [];
    const s = await runLocalSweep(sweep, { out, workers: 2, command, onProgress: (l) => lines.push(l) });
    expect(s.ran).toBe(3);
    expect(s.failed.map((f) => f.id)).toEqual([
      "seed=1,method.hyper.lr=5",
      "seed=2,method.hyper.lr=5",
      "seed=3,method.hyper.lr=5",
    ]);
    expect(s.failed[0]!.error).toBe("sam-train exited with code 1: step 3: the training loss is NaN.");
    const failed = JSON.parse(
      readFileSync(join(trialDir(out, "seed=1,method.hyper.lr=5"), "failed.json"), "utf8"),
    );
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("NaN");
    expect(lines.some((l) => l.startsWith("[") && l.includes("FAILED seed=1,method.hyper.lr=5"))).toBe(true);
    const again = await runLocalSweep(sweep, { out, workers: 2, command, onProgress: (l) => lines.push(l) });
    expect(again).toMatchObject({ ran: 0, skipped: 3 });
    expect(again.failed).toHaveLength(3);
    expect(lines).toContain("start seed=1,method.hyper.lr=5 (again, after a failure)");
  });

  it("refuses a changed spec for the same --out, and runs the trials a spec adds", async () => {
    const { dir, out, sweep, command } = setup();
    await runLocalSweep(sweep, { out, workers: 2, command });
    const changed = resolveSweep(
      {
        name: "pool",
        base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }, { steps: 30 }),
        axes: { grid: { seed: [1, 2], "method.hyper.lr": [0.1] } },
      },
      dir,
    );
    await expect(runLocalSweep(changed, { out, command })).rejects.toThrow(
      /holds another sweep .*\n- trial seed=1,method.hyper.lr=0.1 has another config now\n- trial seed=2,method.hyper.lr=0.1 has another config now\n- trial seed=3,method.hyper.lr=0.1 is not in the spec any more\nRun the spec it was started with/,
    );
    const more = resolveSweep(
      {
        name: "pool",
        base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }),
        axes: { grid: { seed: [1, 2, 3, 4], "method.hyper.lr": [0.1] } },
      },
      dir,
    );
    const s = await runLocalSweep(more, { out, workers: 2, command });
    expect(s).toMatchObject({ trials: 4, ran: 1, skipped: 3 });
  });

  it("an aborted sweep kills its trials, records no failure, and says how many are left", async () => {
    const { out, sweep, command } = setup();
    const controller = new AbortController();
    const run = runLocalSweep(sweep, { out, workers: 1, command, signal: controller.signal });
    setTimeout(() => controller.abort(), 60);
    const s = await run;
    expect(s.ran).toBe(0);
    expect(s.interrupted).toBe(3);
    expect(existsSync(join(trialDir(out, sweep.trials[0]!.id), "failed.json"))).toBe(false);
    expect(trialStatus(out, sweep.trials[0]!)).toBe("started");
  });
});

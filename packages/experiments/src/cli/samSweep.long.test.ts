import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, tinyConfig } from "../test/tinyConfig";

// The real thing: `sam-sweep run` from the sources, each trial a real sam-train child (wasm).
// One sweep runs straight through; another is stopped with SIGTERM while its first trials are
// between checkpoints, then run again: it resumes them, and every result.json is byte-identical
// to the straight sweep's.

const CLI = new URL("../sweepCli.ts", import.meta.url).pathname;
const PKG = new URL("../..", import.meta.url).pathname;

function sweepCli(args: string[]): {
  proc: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const proc = spawn(process.execPath, ["--conditions=@sam/source", "--import", "tsx", CLI, ...args], {
    cwd: PKG,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SAM_BACKEND: "wasm" },
  });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  proc.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return { proc, done: new Promise((r) => proc.on("close", (code) => r({ code, stdout, stderr }))) };
}

const SPEC = {
  name: "long",
  base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }, { steps: 16, evalEvery: 4, checkpointEvery: 2 }),
  axes: { grid: { seed: [1] }, zip: { "method.name": ["samOn"], "method.rho": [0.5] } },
};

describe("sam-sweep run (real sam-train trials)", () => {
  it("runs, stops cleanly on SIGTERM, resumes, and ends with the straight run's results byte for byte", async () => {
    const dir = tempDir("sam-sweep-long-");
    const spec = join(dir, "spec.json");
    writeFileSync(spec, JSON.stringify(SPEC));

    // the straight sweep runs beside the one that is stopped
    const straightRun = sweepCli(["run", spec, "--out", join(dir, "straight"), "--workers", "2"]).done;
    const ids = ["seed=1,method.name=samOn,method.rho=0.5"];

    // stop the second sweep once a trial has a checkpoint, before it ends
    const out = join(dir, "stopped");
    const first = sweepCli(["run", spec, "--out", out, "--workers", "2"]);
    const ckpt = join(out, "trials", ids[0]!, "checkpoints");
    const t0 = Date.now();
    while (
      !(existsSync(ckpt) && readdirSync(ckpt).some((n) => n.startsWith("step-"))) &&
      Date.now() - t0 < 60_000
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    first.proc.kill("SIGTERM");
    const stopped = await first.done;
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain("SIGTERM: stopping the running trials");
    // no sam-train child outlives it
    const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(ps.includes(out)).toBe(false);
    const interrupted = JSON.parse(stopped.stdout.trim().split("\n").at(-1)!);
    expect(interrupted.interrupted).toBeGreaterThan(0);

    const straight = await straightRun;
    expect(straight.code, straight.stderr).toBe(0);
    const summary = JSON.parse(straight.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ trials: 1, ran: 1, skipped: 0, failed: [], workers: 2 });
    expect(readdirSync(join(dir, "straight", "trials"))).toEqual(ids);

    const resumed = await sweepCli(["run", spec, "--out", out, "--workers", "2"]).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain("(resuming)");
    const again = JSON.parse(resumed.stdout.trim().split("\n").at(-1)!);
    expect(again).toMatchObject({ ran: 1, skipped: 0, failed: [] });
    const resumedFrom = ids.map(
      (id) =>
        JSON.parse(readFileSync(join(out, "trials", id, "summary.json"), "utf8")).resumed_from as number[],
    );
    expect(resumedFrom.some((r) => r.length > 0)).toBe(true);
    for (const id of ids) {
      expect(readFileSync(join(out, "trials", id, "result.json"), "utf8")).toBe(
        readFileSync(join(dir, "straight", "trials", id, "result.json"), "utf8"),
      );
    }

    const report = await sweepCli(["report", out]).done;
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain("| method.name=samOn, method.rho=0.5 | 1 |");
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("1 of 1 trials done.");
  }, 240_000);
});

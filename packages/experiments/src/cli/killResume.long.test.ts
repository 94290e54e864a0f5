import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunSummary } from "../run/trainRun";
import { RESUME_METHODS, tempDir, tinyConfig } from "../test/tinyConfig";

// The real thing: a child `sam-train` process (wasm, the default backend) is killed with SIGKILL
// at random steps five times in a row, each time resumed with --resume, then run to the end.
// Its weights_sha256 and metrics must equal those of a run that was never stopped.

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const STEPS = 30;

interface Child {
  proc: ChildProcess;
  stdout: string;
  done: Promise<number | null>;
}

function start(args: string[], onLine?: (line: string, child: Child) => void): Child {
  const proc = spawn(process.execPath, ["--conditions=@sam/source", "--import", "tsx", CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SAM_BACKEND: "wasm" },
  });
  const child: Child = { proc, stdout: "", done: new Promise((r) => proc.on("exit", (code) => r(code))) };
  let pending = "";
  proc.stdout!.on("data", (chunk: Buffer) => {
    child.stdout += chunk.toString();
    pending += chunk.toString();
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      onLine?.(pending.slice(0, nl), child);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
  });
  let stderr = "";
  proc.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  child.done.then((code) => {
    if (code !== 0 && code !== null) console.error(stderr);
  });
  return child;
}

/** A small deterministic generator, so that a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lastJson = (stdout: string): RunSummary => JSON.parse(stdout.trim().split("\n").at(-1)!);
const metrics = (out: string) =>
  readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const { seconds: _s, images_per_second: _i, ...rest } = JSON.parse(l);
      return rest;
    });

describe("sam-train survives kill -9", () => {
  for (const [name, method] of Object.entries(RESUME_METHODS)) {
    it(`${name}: killed at 5 random steps and resumed, it ends with the uninterrupted run's weights_sha256`, async () => {
      const dir = tempDir();
      const config = join(dir, "run.json");
      writeFileSync(
        config,
        JSON.stringify(tinyConfig(method, { steps: STEPS, evalEvery: 1, checkpointEvery: 3 })),
      );
      const straight = start(["--config", config, "--out", join(dir, "straight")]);
      expect(await straight.done).toBe(0);
      const expected = lastJson(straight.stdout);

      const out = join(dir, "killed");
      const random = mulberry32(name.length * 7919);
      const killedAt: number[] = [];
      for (let kill = 0; kill < 5; kill++) {
        // kill after the eval line of a random step ahead (the child may be mid-checkpoint then)
        const target = 1 + Math.floor(random() * (STEPS - 2));
        const child = start(["--config", config, "--out", out, "--resume"], (line, c) => {
          const m = /^step (\d+) /.exec(line);
          if (m && Number(m[1]) >= target && c.proc.exitCode === null) {
            killedAt.push(Number(m[1]));
            c.proc.kill("SIGKILL");
          }
        });
        await child.done;
      }
      expect(killedAt.length).toBeGreaterThanOrEqual(3); // a target already passed lets that child finish
      const resumed = start(["--config", config, "--out", out, "--resume"]);
      expect(await resumed.done).toBe(0);
      const summary = lastJson(resumed.stdout);
      expect(summary.weights_sha256).toBe(expected.weights_sha256);
      expect(summary.steps).toBe(STEPS);
      expect(metrics(out)).toEqual(metrics(join(dir, "straight")));
    }, 300_000);
  }
});

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type TestRedis } from "../test/redisServer";
import { tempDir, tinyConfig } from "../test/tinyConfig";
import { loadBullmq, TRIALS_QUEUE } from "./loadBullmq";
import { resolveSweep } from "./resolveSweep";
import { runLocalSweep } from "./runLocalSweep";
import { runRedisSweep } from "./runRedisSweep";
import { JOB_FORMAT } from "./sweepJob";

// BullMQ on a real Redis (Debian's redis-server, started here on a free port, no persistence):
// a 2x2x2 sweep of a tiny MLP on two worker processes, one of which is killed with SIGKILL in
// the middle of a trial; every trial still completes exactly once (the stalled job goes to
// another worker, which resumes it from its checkpoint in the shared --root), the results are
// byte-identical to the local pool's, two malformed jobs fail alone, and a re-run skips all.

const CLI = new URL("../sweepCli.ts", import.meta.url).pathname;
const PKG = new URL("../..", import.meta.url).pathname;

interface Worker {
  proc: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

function startWorker(redis: string, root: string, concurrency = 1): Worker {
  const proc = spawn(
    process.execPath,
    [
      "--conditions=@sam/source",
      "--import",
      "tsx",
      CLI,
      "worker",
      "--redis",
      redis,
      "--root",
      root,
      "--lock-duration",
      "3000",
      "--stalled-interval",
      "1000",
      "--concurrency",
      String(concurrency),
    ],
    { cwd: PKG, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SAM_BACKEND: "wasm" } },
  );
  const w: Worker = { proc, log: "", exited: new Promise((r) => proc.on("exit", (code) => r(code))) };
  proc.stdout!.resume();
  proc.stderr!.on("data", (c: Buffer) => {
    w.log += c.toString();
  });
  return w;
}

const until = async (what: string, ok: () => boolean, ms = 90_000) => {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

const SPEC = {
  name: "redis2x2x2",
  base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }, { steps: 16, evalEvery: 2, checkpointEvery: 2 }),
  axes: { grid: { seed: [1, 2], "method.name": ["sgd", "momentum"], "method.hyper.lr": [0.05, 0.1] } },
};

let redis: TestRedis;
const workers: Worker[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  // SIGTERM stops a worker cleanly; one still there after 15 s is killed, and the test says so
  const slow: string[] = [];
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGTERM");
  await Promise.all(
    workers.map(async (w, i) => {
      const timer = setTimeout(() => {
        slow.push(`worker ${i} ignored SIGTERM for 15 s:\n${w.log.slice(-2000)}`);
        w.proc.kill("SIGKILL");
      }, 15_000);
      await w.exited;
      clearTimeout(timer);
    }),
  );
  await redis?.stop();
  expect(slow).toEqual([]);
}, 60_000);

describe("sam-sweep on BullMQ workers (real redis-server)", () => {
  it("runs a 2x2x2 sweep on two workers, survives a kill -9 mid-trial, and matches the local pool byte for byte", async () => {
    const dir = tempDir("sam-sweep-redis-");
    const root = join(dir, "root");
    const sweep = resolveSweep(SPEC, dir);
    expect(sweep.trials).toHaveLength(8);

    // two malformed jobs first: a path out of --root, and a config the schema refuses
    const { bullmq, connect, disconnect } = await loadBullmq(redis.url);
    const queue = new bullmq.Queue(TRIALS_QUEUE, { connection: connect() });
    const good = { format: JOB_FORMAT, sweep: "evil", id: "x", values: {}, config: sweep.trials[0]!.config };
    const outside = await queue.add("escape", { ...good, out: "../../outside" }, { attempts: 3 });
    const badConfig = await queue.add(
      "bad",
      { ...good, config: { ...good.config, method: { name: "samm" } }, out: "x" },
      { attempts: 3 },
    );

    workers.push(startWorker(redis.url, root), startWorker(redis.url, root));
    const a = workers[0]!;
    const run = runRedisSweep(sweep, { out: join(dir, "out"), redis: redis.url, pollMs: 100 });

    // kill worker a with SIGKILL once its trial has a checkpoint and before it ends
    let victim = "";
    await until("worker a to checkpoint a trial", () => {
      const m = /start redis2x2x2\/(\S+) \(job/g;
      const started = [...a.log.matchAll(m)].map((x) => x[1]!);
      const current = started.at(-1);
      if (!current || a.log.includes(`done redis2x2x2/${current} `)) return false;
      const ckpt = join(root, "sweeps", "redis2x2x2", "trials", current, "checkpoints");
      if (existsSync(ckpt) && readdirSync(ckpt).some((n) => /^step-([2-9]|1[0-2])$/.test(n))) {
        victim = current;
        return true;
      }
      return false;
    });
    a.proc.kill("SIGKILL");
    await a.exited;
    const c = startWorker(redis.url, root);
    workers.push(c);

    const summary = await run;
    expect(summary.failed).toEqual([]);
    expect(summary).toMatchObject({ trials: 8, ran: 8, skipped: 0, interrupted: 0 });
    // two workers (concurrency 1 each) ran trials side by side (a third slot only while the killed
    // worker's job still reads as active, before it is found stalled); a, b and c took part
    expect(summary.workers).toBeGreaterThanOrEqual(2);
    expect(summary.workers).toBeLessThanOrEqual(3);
    expect(summary.worker_processes).toBeGreaterThanOrEqual(2);

    // every trial done exactly once across the workers; the victim started twice
    const logs = workers.map((w) => w.log).join("");
    for (const t of sweep.trials) {
      expect(logs.split(`done redis2x2x2/${t.id} `).length - 1, t.id).toBe(1);
    }
    expect(logs.split(`start redis2x2x2/${victim} `).length - 1).toBe(2);
    const victimSummary = JSON.parse(
      readFileSync(join(dir, "out", "trials", victim, "summary.json"), "utf8"),
    );
    expect(victimSummary.resumed_from.length).toBeGreaterThan(0); // resumed from its checkpoint in the shared root

    // the malformed jobs failed alone, once each, naming the problem
    const e = await bullmq.Job.fromId(queue, outside.id!);
    expect(e!.failedReason).toContain('job x: out is "../../outside", which leaves');
    expect(e!.attemptsMade).toBe(1);
    const bc = await bullmq.Job.fromId(queue, badConfig.id!);
    expect(bc!.failedReason).toContain('method.name is "samm": allowed values are');
    expect(bc!.attemptsMade).toBe(1);
    await queue.close();
    disconnect();

    // the same trials on the local pool: byte-identical result.json (the victim and one other)
    const pick = [victim, sweep.trials.find((t) => t.id !== victim)!.id];
    const local = { ...sweep, trials: sweep.trials.filter((t) => pick.includes(t.id)) };
    // on the workers' backend (tfjs-node, when installed, would be the default choice)
    const l = await runLocalSweep(local, { out: join(dir, "local"), workers: 2, backend: "wasm" });
    expect(l.failed).toEqual([]);
    for (const id of pick) {
      expect(readFileSync(join(dir, "local", "trials", id, "result.json"), "utf8")).toBe(
        readFileSync(join(dir, "out", "trials", id, "result.json"), "utf8"),
      );
    }

    // a re-run skips every finished trial and queues nothing
    const again = await runRedisSweep(sweep, { out: join(dir, "out"), redis: redis.url });
    expect(again).toMatchObject({ ran: 0, skipped: 8, failed: [] });
  }, 240_000);

  it("counts the trials run at once, not the worker processes: one worker at --concurrency 2", async () => {
    const dir = tempDir("sam-sweep-redis-slots-");
    const spec = {
      name: "redisslots",
      base: tinyConfig({ name: "sgd", hyper: { lr: 0.1 } }, { steps: 64, evalEvery: 8, checkpointEvery: 64 }),
      axes: { grid: { seed: [1, 2] } },
    };
    // the first test's workers would take jobs too: stop them first
    for (const old of workers)
      if (old.proc.exitCode === null && old.proc.signalCode === null) old.proc.kill("SIGTERM");
    await Promise.all(workers.map((old) => old.exited));
    const w = startWorker(redis.url, join(dir, "root"), 2);
    workers.push(w);
    const summary = await runRedisSweep(resolveSweep(spec, dir), {
      out: join(dir, "out"),
      redis: redis.url,
      pollMs: 50,
    });
    expect(summary).toMatchObject({ trials: 2, ran: 2, failed: [], workers: 2, worker_processes: 1 });
  }, 120_000);
});

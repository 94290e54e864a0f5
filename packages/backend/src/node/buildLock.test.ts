import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireBuildLock } from "./buildLock";

describe("acquireBuildLock", () => {
  it("waits for a live owner, then takes the lock; release removes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sam-lock-"));
    const release = await acquireBuildLock(dir);
    expect(readFileSync(join(dir, ".lock", "pid"), "utf8")).toBe(String(process.pid));
    const order: string[] = [];
    const second = acquireBuildLock(dir, { pollMs: 20 }).then((r) => {
      order.push("second");
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push("first released");
    release();
    (await second)();
    expect(order).toEqual(["first released", "second"]);
    expect(existsSync(join(dir, ".lock"))).toBe(false);
  });

  it("takes over the lock of a dead process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sam-lock-"));
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid!;
    await new Promise((r) => child.on("exit", r));
    mkdirSync(join(dir, ".lock"));
    writeFileSync(join(dir, ".lock", "pid"), String(pid));
    const release = await acquireBuildLock(dir, { timeoutMs: 1000 });
    expect(readFileSync(join(dir, ".lock", "pid"), "utf8")).toBe(String(process.pid));
    release();
  });

  it("gives up after the timeout, saying which process holds it and what to delete", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sam-lock-"));
    mkdirSync(join(dir, ".lock"));
    writeFileSync(join(dir, ".lock", "pid"), String(process.pid)); // alive: this process
    const lines: string[] = [];
    await expect(
      acquireBuildLock(dir, { timeoutMs: 50, pollMs: 10, log: (l) => lines.push(l) }),
    ).rejects.toThrow(
      new RegExp(
        `locked by process ${process.pid} for more than 0.05 s; if no build is running, delete ${dir}/.lock`,
      ),
    );
    expect(lines).toEqual([`waiting for process ${process.pid}, which is building in ${dir}`]);
  });
});

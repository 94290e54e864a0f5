import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throw-away redis-server for a test: its URL and how to stop it. */
export interface TestRedis {
  url: string;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

/**
 * Starts Debian's `redis-server` on 127.0.0.1 on a free port, with no persistence
 * (`--save '' --appendonly no`), and waits until it accepts connections. Stopped by its own pid.
 *
 * @throws Error naming `apt-get install redis-server` when it cannot be started.
 */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "yes",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("it did not say it was ready within 10 s")), 10_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      proc.kill("SIGKILL");
      reject(
        new Error(
          `cannot start redis-server on 127.0.0.1:${port} (${e.message}); the sweep's Redis tests need it: apt-get install redis-server (.ci/run installs it when missing).\n${log}`,
        ),
      );
    };
    proc.on("error", fail);
    proc.on("exit", (code) => fail(new Error(`it exited with code ${code}`)));
    proc.stderr!.resume();
    proc.stdout!.on("data", (c: Buffer) => {
      if (log.includes("Ready to accept connections")) return;
      log += c.toString();
      if (log.includes("Ready to accept connections")) {
        clearTimeout(timer);
        proc.removeAllListeners("exit");
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
        proc.on("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill("SIGTERM");
      }),
  };
}

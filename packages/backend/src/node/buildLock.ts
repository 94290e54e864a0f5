import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * Takes the lock of a build folder (a `.lock` directory holding the owner's pid: `mkdir` is
 * atomic), waiting while another live process holds it, and returns its release. A lock whose
 * owner has died is taken over. Two CI jobs sharing one cache thus build once: the second waits,
 * then finds the build done.
 *
 * @example
 * ```ts
 * const release = await acquireBuildLock("/root/.cache/sam-backend/tfjs-node-4.22.0-...");
 * try {
 *   // build
 * } finally {
 *   release();
 * }
 * ```
 */
export async function acquireBuildLock(
  dir: string,
  options: { timeoutMs?: number; pollMs?: number; log?: (line: string) => void } = {},
): Promise<() => void> {
  const lock = join(dir, ".lock");
  const pidFile = join(lock, "pid");
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dir, { recursive: true });
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(pidFile, String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(pidFile, "utf8"));
    } catch {
      // the owner has made the directory but not yet written its pid
    }
    if (owner > 0 && !alive(owner)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `installTfjsNode: ${dir} is locked by process ${owner || "?"} for more than ${timeoutMs / 1000} s; ` +
          `if no build is running, delete ${lock}.`,
      );
    }
    if (!told) options.log?.(`waiting for process ${owner || "?"}, which is building in ${dir}`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `files` (name, bytes) as the whole content of directory `target`, atomically: into a new
 * sibling temp directory `.<name>.tmp-*` first (each file fsynced), then renamed over `target`. An
 * existing `target` is moved aside to `.<name>.old-*` just before and deleted just after, and is
 * put back if the final rename fails. A crash therefore leaves the old or the new directory, never
 * a mix; at worst `target` is missing between the two renames and a stale `.old-*` remains.
 * An existing `target` is only replaced if every entry passes `mayReplace`.
 */
export async function atomicWriteDir(
  target: string,
  mayReplace: (name: string) => boolean,
  files: [string, Uint8Array][],
): Promise<void> {
  const parent = dirname(target);
  const base = basename(target);
  await mkdir(parent, { recursive: true });
  let exists = false;
  try {
    const st = await stat(target);
    if (!st.isDirectory()) {
      throw new Error(
        `save: '${target}' exists and is not a directory. Choose a directory path for the checkpoint.`,
      );
    }
    const foreign = (await readdir(target)).filter((n) => !mayReplace(n));
    if (foreign.length > 0) {
      throw new Error(
        `save: refusing to replace '${target}': it holds files that are not part of a checkpoint ` +
          `(${foreign.slice(0, 5).join(", ")}). Save into an empty or dedicated directory.`,
      );
    }
    exists = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(parent, `.${base}.tmp-${tag}`);
  await mkdir(tmp);
  try {
    for (const [name, bytes] of files) {
      const fh = await open(join(tmp, name), "w");
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    if (exists) {
      const old = join(parent, `.${base}.old-${tag}`);
      await rename(target, old);
      try {
        await rename(tmp, target);
      } catch (e) {
        await rename(old, target); // put the old checkpoint back
        throw e;
      }
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

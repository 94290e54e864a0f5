import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** True when `path` (absolute) is `dir` itself or lies below it (`dir` absolute, normalised). */
function isWithin(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Resolves `path`, read from a file inside `dir` (a manifest, a checkpoint, a config), to a file
 * that really lies inside `dir`, or throws. Refused, with an error naming the path: an absolute
 * path (`/etc/passwd`, `C:\x`), a URL, a path whose `..` segments climb out of `dir`, and a path
 * that reaches a symbolic link (the file or a folder on the way) whose target is outside `dir`.
 * A path that does not exist passes the checks that do not need the file (the read then fails
 * with its own error).
 *
 * @param fn - The caller, for error messages, e.g. `fileHandler('./ckpt').load`.
 * @param dir - The directory the file belongs to.
 * @param path - The path as written in the file (relative to `dir`).
 * @param source - Where the path was read, e.g. `model.json`.
 * @returns The absolute path to read.
 * @throws When the path escapes `dir`.
 *
 * @example
 * ```ts
 * const shard = await resolveInside("load", "./ckpt", "./weights.bin", "model.json"); // "/abs/ckpt/weights.bin"
 * await resolveInside("load", "./ckpt", "../secret.bin", "model.json"); // throws: ... leaves ./ckpt
 * ```
 */
export async function resolveInside(fn: string, dir: string, path: string, source: string): Promise<string> {
  const refuse = (why: string) =>
    new Error(
      `${fn}: ${source} names the path ${JSON.stringify(path)}, which ${why}. Paths in ${source} must ` +
        `stay inside '${dir}' (relative, no '..' out, no symbolic link out); fix or regenerate ${source}.`,
    );
  if (typeof path !== "string" || path.length === 0) throw refuse("is not a non-empty string");
  if (path.includes("\0")) throw refuse("contains a NUL byte");
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith("\\")) {
    throw refuse("is absolute");
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path)) throw refuse("is a URL");
  const root = resolve(dir);
  const target = resolve(root, path);
  if (!isWithin(root, target)) throw refuse(`leaves the directory (it resolves to ${target})`);
  let realRoot: string;
  let realTarget: string;
  try {
    realRoot = await realpath(root);
    realTarget = await realpath(target);
  } catch {
    return target; // missing: nothing to follow; the caller's read reports it
  }
  if (!isWithin(realRoot, realTarget)) {
    throw refuse(`leads out of the directory through a symbolic link (to ${realTarget})`);
  }
  return target;
}

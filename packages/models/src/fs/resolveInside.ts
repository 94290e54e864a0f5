import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { SamConfigError } from "@sam/core";

/** True when the absolute `target` climbs out of the absolute `root`. */
function escapes(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** The nearest existing ancestor of `p` (itself when it exists) through symlinks, and the rest. */
function realExisting(p: string): { real: string; rest: string } {
  let head = p;
  let rest = "";
  for (;;) {
    try {
      return { real: realpathSync(head), rest };
    } catch {
      const parent = resolve(head, "..");
      if (parent === head) return { real: head, rest };
      const name = head.slice(parent.length).replace(/^[\\/]/, "");
      rest = rest ? `${name}${sep}${rest}` : name;
      head = parent;
    }
  }
}

/**
 * Resolves `path`, as read from a file (a config, a checkpoint's `model.json`, a sweep job) that
 * belongs to the directory `root`, and returns the absolute path, refusing every way out of
 * `root`: an absolute path (POSIX or Windows), a URL, a `..` that climbs above it, and a symbolic
 * link anywhere along the path whose target lies outside. A path that does not exist yet is
 * checked through its nearest existing folder, so a file about to be written is covered too.
 * `what` names the field in the error, e.g. `"config data.images"`.
 *
 * @param root - The directory the path belongs to.
 * @param path - The path as written in the file.
 * @param what - Which field holds the path, for the error message.
 * @returns The absolute path, inside `root`.
 * @throws SamConfigError naming the field, the path, the root and the fix.
 *
 * @example
 * ```ts
 * import { resolveInside } from "@sam/models/node";
 * resolveInside("/runs/a/checkpoints/step-10", "weights.bin", "model.json weights path"); // "/runs/a/checkpoints/step-10/weights.bin"
 * resolveInside("/runs/a", "../secret.bin", "model.json weights path"); // throws: leaves /runs/a
 * ```
 */
export function resolveInside(root: string, path: string, what: string): string {
  const shown = JSON.stringify(path);
  if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
    throw new SamConfigError(`${what} is ${shown}: it must be a non-empty relative path without NUL bytes.`);
  }
  const absRoot = resolve(root);
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith("\\")) {
    throw new SamConfigError(
      `${what} is ${shown}, which is absolute: paths there must be relative to ${absRoot} and stay inside it.`,
    );
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path)) {
    throw new SamConfigError(
      `${what} is ${shown}, which is a URL: paths there must be relative to ${absRoot} and stay inside it.`,
    );
  }
  const target = resolve(absRoot, path);
  if (escapes(absRoot, target)) {
    throw new SamConfigError(
      `${what} is ${shown}, which leaves ${absRoot}: paths there must stay inside that directory (no ".." out of it).`,
    );
  }
  const realRoot = realExisting(absRoot).real;
  const { real, rest } = realExisting(target);
  const realTarget = rest ? resolve(real, rest) : real;
  if (escapes(realRoot, realTarget)) {
    throw new SamConfigError(
      `${what} is ${shown}, which a symbolic link leads out of ${absRoot} (to ${realTarget}): paths there must stay inside that directory.`,
    );
  }
  return target;
}

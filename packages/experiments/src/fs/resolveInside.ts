import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { SamConfigError } from "@sam/core";

function escapes(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** The nearest existing ancestor of `p` (itself when it exists), through symlinks. */
function realExisting(p: string): { real: string; rest: string } {
  let head = p;
  let rest = "";
  for (;;) {
    try {
      return { real: realpathSync(head), rest };
    } catch {
      const parent = resolve(head, "..");
      if (parent === head) return { real: head, rest };
      rest = rest ? `${head.slice(parent.length + 1)}${sep}${rest}` : head.slice(parent.length + 1);
      head = parent;
    }
  }
}

/**
 * Resolves `path` (relative, as read from a config, a checkpoint or a manifest) against `root`
 * and returns the absolute path, refusing every way out of `root`: an absolute path, a `..`
 * that climbs above it, or a symlink (anywhere along the path) that leads outside. `what` names
 * the field in the error, e.g. `"config data.images"`.
 *
 * @param root - The directory the path belongs to.
 * @param path - The path as written in the file.
 * @param what - Which field holds the path, for the error message.
 * @returns The absolute path, inside `root`.
 * @throws SamConfigError naming the field, the path and the root.
 *
 * @example
 * ```ts
 * resolveInside("/runs/a/checkpoints/step-10", "weights.bin", "model.json weightsManifest"); // ".../step-10/weights.bin"
 * resolveInside("/runs/a", "../secret.bin", "model.json weightsManifest"); // throws: leaves /runs/a
 * ```
 */
export function resolveInside(root: string, path: string, what: string): string {
  if (typeof path !== "string" || path.length === 0 || path.includes("\0")) {
    throw new SamConfigError(`${what} is ${JSON.stringify(path)}: it must be a non-empty relative path.`);
  }
  if (isAbsolute(path)) {
    throw new SamConfigError(
      `${what} is ${JSON.stringify(path)}, an absolute path: paths there must be relative to ${root} and stay inside it.`,
    );
  }
  const absRoot = resolve(root);
  const target = resolve(absRoot, path);
  if (escapes(absRoot, target)) {
    throw new SamConfigError(
      `${what} is ${JSON.stringify(path)}, which leaves ${absRoot}: paths there must stay inside that directory (no "..").`,
    );
  }
  const realRoot = realExisting(absRoot).real;
  const { real, rest } = realExisting(target);
  const realTarget = rest ? resolve(real, rest) : real;
  if (escapes(realRoot, realTarget)) {
    throw new SamConfigError(
      `${what} is ${JSON.stringify(path)}, which a symlink leads out of ${absRoot} (to ${realTarget}): paths there must stay inside that directory.`,
    );
  }
  return target;
}

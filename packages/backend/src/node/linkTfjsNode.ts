import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The marker file {@link linkTfjsNode} writes into the package it places (the build it came
 * from, and where its `@tensorflow/tfjs` resolves).
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { join } from "node:path";
 * import { LINK_MARKER } from "@sam/backend/node";
 * const marker = JSON.parse(readFileSync(join("node_modules/@tensorflow/tfjs-node", LINK_MARKER), "utf8"));
 * ```
 */
export const LINK_MARKER = ".sam-backend-install.json";

/** What {@link linkTfjsNode} did. */
export interface LinkResult {
  /** The package folder written, `<project>/node_modules/@tensorflow/tfjs-node`. */
  target: string;
  /** `@tensorflow/*` packages tfjs-node takes from the project (one copy of tfjs-core). */
  fromProject: string[];
  /** `@tensorflow/*` packages linked from the build because the project lacks that version. */
  fromBuild: string[];
}

const SKIP = new Set(["deps", "build", "node_modules"]);

function versionFrom(require: NodeJS.Require, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string })
      .version;
  } catch {
    return undefined;
  }
}

/**
 * Places a built tfjs-node (`<stage>/node_modules/@tensorflow/tfjs-node`, see installTfjsNode)
 * into `<project>/node_modules/@tensorflow/tfjs-node` without running any package manager, so
 * no other package of the project is installed, rebuilt or has its scripts skipped:
 *
 * - its JavaScript and the compiled binding are copied (Node resolves a module's imports from
 *   its real path, so a copy makes `@tensorflow/tfjs` resolve to the project's own copy: one
 *   tfjs-core, one engine);
 * - `deps/` (the 850 MB of TensorFlow libraries) is a symlink to the build;
 * - its other dependencies (node-pre-gyp, google-protobuf, ...) are symlinks in a nested
 *   `node_modules`, and so are `@tensorflow/tfjs`/`tfjs-core` when the project has no copy of the
 *   version tfjs-node wants.
 *
 * The folder is assembled beside the target and renamed into place; a marker file records the
 * build it came from.
 *
 * @example
 * ```ts
 * linkTfjsNode("/cache/sam-backend/tfjs-node-4.22.0-.../stage", process.cwd());
 * ```
 */
export function linkTfjsNode(stage: string, project: string): LinkResult {
  const built = join(stage, "node_modules", "@tensorflow", "tfjs-node");
  const manifest = JSON.parse(readFileSync(join(built, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const target = join(project, "node_modules", "@tensorflow", "tfjs-node");
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const entry of readdirSync(built)) {
    if (!SKIP.has(entry)) cpSync(join(built, entry), join(tmp, entry), { recursive: true });
  }
  symlinkSync(join(built, "deps"), join(tmp, "deps"));
  const nested = join(tmp, "node_modules");
  mkdirSync(join(nested, "@tensorflow"), { recursive: true });
  const stageModules = join(stage, "node_modules");
  for (const entry of readdirSync(stageModules)) {
    if (entry.startsWith(".") || entry === "@tensorflow") continue;
    if (entry.startsWith("@")) {
      mkdirSync(join(nested, entry), { recursive: true });
      for (const sub of readdirSync(join(stageModules, entry)))
        symlinkSync(join(stageModules, entry, sub), join(nested, entry, sub));
    } else symlinkSync(join(stageModules, entry), join(nested, entry));
  }
  // tfjs-node imports @tensorflow/tfjs (its dependency) and @tensorflow/tfjs-core (through it).
  const fromProject: string[] = [];
  const fromBuild: string[] = [];
  const wanted = manifest.dependencies["@tensorflow/tfjs"]!;
  // resolved from beside the target, so an earlier nested copy is not found
  const projectRequire = createRequire(join(dirname(target), "resolve-from-here.js"));
  for (const name of ["@tensorflow/tfjs", "@tensorflow/tfjs-core"]) {
    if (versionFrom(projectRequire, name) === wanted) fromProject.push(name);
    else {
      symlinkSync(join(stageModules, name), join(nested, name));
      fromBuild.push(name);
    }
  }
  writeFileSync(join(tmp, LINK_MARKER), `${JSON.stringify({ stage, fromProject, fromBuild }, null, 2)}\n`);
  mkdirSync(dirname(target), { recursive: true });
  if (existsSync(target) || isLink(target)) rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  return { target, fromProject, fromBuild };
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { acquireBuildLock } from "./buildLock";
import { linkTfjsNode, type LinkResult } from "./linkTfjsNode";
import { buildKey, defaultCacheDir, TFJS_NODE_DEFAULTS } from "./tfjsNodeTarget";
import { type MachineProbe, tfjsNodePrerequisites } from "./tfjsNodePrerequisites";
import { type TfjsNodeCheck, verifyTfjsNode } from "./verifyTfjsNode";
import { downloadWheel, extractWheelLibraries } from "./wheelLibraries";

/** Options of {@link installTfjsNode}. */
export interface InstallTfjsNodeOptions {
  /** The project to install into (its `node_modules`); default `process.cwd()`. */
  project?: string;
  /** `@tensorflow/tfjs-node` version (default 4.22.0, the version of this toolkit's tfjs). */
  tfjsNodeVersion?: string;
  /** `tensorflow-cpu` wheel version whose libraries are used (default 2.21.0). */
  tensorflowVersion?: string;
  /** Build cache (default {@link defaultCacheDir}). */
  cacheDir?: string;
  /** Python interpreter with pip (default `$PYTHON` or `python3`). */
  python?: string;
  /** Rebuild even when the project's or the cache's tfjs-node works. */
  force?: boolean;
  /** Keep the downloaded wheel in the cache (default: deleted after a good build; 270 MB). */
  keepWheel?: boolean;
  /** One line per step (default: nothing). */
  log?: (line: string) => void;
  /** Overrides of the machine probe, for tests. */
  probe?: Partial<MachineProbe>;
}

/** What {@link installTfjsNode} did. */
export interface InstallTfjsNodeResult {
  /** `already-working`: nothing was changed; `linked`: placed from the cache; `built`: built, then placed. */
  action: "already-working" | "linked" | "built";
  /** The project's `node_modules/@tensorflow/tfjs-node`. */
  target: string;
  /** The build folder in the cache. */
  build: string;
  /** The final check, run in a child process from the project. */
  check: TfjsNodeCheck & { ok: true };
  /** Wall time of the whole call. */
  seconds: number;
  /** Set when the package was placed by this call. */
  link?: LinkResult;
}

const MARKER = "build.json";

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  what: string,
  fix: string,
) {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  writeFileSync(logFile, `$ ${command} ${args.join(" ")}\n${r.stdout ?? ""}${r.stderr ?? ""}`, { flag: "a" });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error?.message ?? ""}`
      .trim()
      .split("\n")
      .slice(-8)
      .join("\n");
    throw new Error(
      `installTfjsNode: ${what} failed (\`${command} ${args.join(" ")}\` in ${cwd}):\n${tail}\n${fix}; full log: ${logFile}`,
    );
  }
}

/**
 * Installs a working `@tensorflow/tfjs-node` into a project where its own install script cannot
 * download libtensorflow (it fetches it from storage.googleapis.com, outside the package
 * registries): the TensorFlow C libraries come from the `tensorflow-cpu` wheel (pip), and the
 * binding is compiled from source against them.
 *
 * Steps, each skipped when already done:
 * 1. if the project's tfjs-node already works (checked in a child process), stop;
 * 2. in a private staging project in the cache, `npm install @tensorflow/tfjs-node@<v>
 *    --ignore-scripts` (only tfjs-node and its own dependencies live there);
 * 3. `pip download --no-deps tensorflow-cpu==<v>`; copy `libtensorflow_cc.so.2`,
 *    `libtensorflow_framework.so.2` and the C headers into tfjs-node's `deps/`, with the
 *    library names it links against as symlinks;
 * 4. `node-pre-gyp install --build-from-source` with `npm_config_nodedir` set to the installed
 *    Node headers; check the staged package;
 * 5. place it into `<project>/node_modules/@tensorflow/tfjs-node` ({@link linkTfjsNode}) and
 *    check it from the project (`tf.getBackend() === "tensorflow"`).
 *
 * Nothing else in the project is installed or rebuilt, so no other package's install scripts are
 * skipped; the project's package.json and lockfile are not touched. Every failure names what is
 * missing and what to do.
 *
 * @example
 * ```ts
 * import { installTfjsNode } from "@sam/backend/node";
 * const r = await installTfjsNode({ project: process.cwd(), log: console.log });
 * // r.action: "built" the first time, "already-working" the second
 * ```
 */
export async function installTfjsNode(options: InstallTfjsNodeOptions = {}): Promise<InstallTfjsNodeResult> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const project = resolve(options.project ?? process.cwd());
  const tfjsNodeVersion = options.tfjsNodeVersion ?? TFJS_NODE_DEFAULTS.tfjsNodeVersion;
  const tensorflowVersion = options.tensorflowVersion ?? TFJS_NODE_DEFAULTS.tensorflowVersion;
  if (!existsSync(join(project, "package.json"))) {
    throw new Error(
      `installTfjsNode: ${project} has no package.json; pass the project folder (--dir <project>).`,
    );
  }
  const target = join(project, "node_modules", "@tensorflow", "tfjs-node");
  const probe = { platform: process.platform, arch: process.arch, ...options.probe };
  const build = join(
    options.cacheDir ?? defaultCacheDir(),
    buildKey(tfjsNodeVersion, tensorflowVersion, probe.platform, probe.arch),
  );
  const seconds = () => (performance.now() - t0) / 1000;
  if (!options.force && existsSync(target)) {
    const check = verifyTfjsNode(project);
    if (check.ok && check.version === tfjsNodeVersion) {
      log(
        `@tensorflow/tfjs-node ${check.version} already works in ${project} (backend 'tensorflow'); nothing to do.`,
      );
      return { action: "already-working", target, build, check, seconds: seconds() };
    }
    log(
      `${target} exists but does not work (${check.ok ? `version ${check.version}` : check.reason}); reinstalling.`,
    );
  }
  const stage = join(build, "stage");
  let action: InstallTfjsNodeResult["action"];
  let link: LinkResult;
  // one build at a time per cache folder (parallel CI jobs): a waiting run then finds it done
  const release = await acquireBuildLock(build, { log });
  try {
    if (!options.force && existsSync(join(build, MARKER)) && verifyTfjsNode(stage).ok) {
      log(`using the cached build ${build}`);
      action = "linked";
    } else {
      buildTfjsNode({ build, stage, tfjsNodeVersion, tensorflowVersion, options, log, started: t0 });
      action = "built";
    }
    link = linkTfjsNode(stage, project);
  } finally {
    release();
  }
  const check = verifyTfjsNode(project);
  if (!check.ok) {
    throw new Error(
      `installTfjsNode: ${target} was placed but does not load from ${project} (${check.reason}); ` +
        `its @tensorflow/tfjs comes from ${link.fromProject.includes("@tensorflow/tfjs") ? "the project" : "the build"}. ` +
        "Rerun with --force, and report it if it persists.",
    );
  }
  log(
    `@tensorflow/tfjs-node ${check.version} works in ${project}: tf.getBackend() === "tensorflow" (${seconds().toFixed(1)} s).`,
  );
  return { action, target, build, check, seconds: seconds(), link };
}

/** Steps 2-4 of {@link installTfjsNode}: stage, fetch the libraries, compile, check, record. */
function buildTfjsNode(args: {
  build: string;
  stage: string;
  tfjsNodeVersion: string;
  tensorflowVersion: string;
  options: InstallTfjsNodeOptions;
  log: (line: string) => void;
  started: number;
}): void {
  const { build, stage, tfjsNodeVersion, tensorflowVersion, options, log } = args;
  const seconds = () => (performance.now() - args.started) / 1000;
  const pre = tfjsNodePrerequisites({ python: options.python, probe: options.probe });
  if (!pre.ok) {
    throw new Error(
      `installTfjsNode: cannot build @tensorflow/tfjs-node here; missing:\n${pre.missing.map((m) => `  - ${m.missing}: ${m.fix}`).join("\n")}`,
    );
  }
  const { python, nodedir } = pre.toolchain;
  rmSync(stage, { recursive: true, force: true });
  rmSync(join(build, MARKER), { force: true });
  mkdirSync(stage, { recursive: true });
  const logFile = join(build, "build.log");
  writeFileSync(logFile, "");
  writeFileSync(
    join(stage, "package.json"),
    `${JSON.stringify({ name: "sam-tfjs-node-build", private: true, dependencies: { "@tensorflow/tfjs-node": tfjsNodeVersion } }, null, 2)}\n`,
  );
  log(
    `[1/4] npm install @tensorflow/tfjs-node@${tfjsNodeVersion} --ignore-scripts (in the private build folder ${stage})`,
  );
  run(
    "npm",
    ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
    stage,
    process.env,
    logFile,
    "npm install of tfjs-node into the build folder",
    "check that npm reaches its registry (npm config get registry) and that the version exists (--tfjs-node)",
  );
  const pkg = join(stage, "node_modules", "@tensorflow", "tfjs-node");
  log(`[2/4] pip download tensorflow-cpu==${tensorflowVersion} (the TensorFlow C libraries)`);
  const wheel = downloadWheel(python, tensorflowVersion, join(build, "wheel"));
  log(`[3/4] copy libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C headers from ${wheel}`);
  rmSync(join(pkg, "deps"), { recursive: true, force: true });
  extractWheelLibraries(python, wheel, join(pkg, "deps"));
  log("[4/4] node-pre-gyp install --build-from-source (compiles the binding; about a minute)");
  const preGyp = join(stage, "node_modules", "@mapbox", "node-pre-gyp", "bin", "node-pre-gyp");
  run(
    process.execPath,
    [preGyp, "install", "--build-from-source"],
    pkg,
    { ...process.env, npm_config_nodedir: nodedir },
    logFile,
    "compiling the tfjs-node binding",
    `check the C++ compiler (CXX) and the Node headers in ${nodedir}/include/node (npm_config_nodedir)`,
  );
  const staged = verifyTfjsNode(stage);
  if (!staged.ok) {
    throw new Error(`installTfjsNode: the built tfjs-node does not work (${staged.reason}); see ${logFile}.`);
  }
  if (!options.keepWheel) rmSync(join(build, "wheel"), { recursive: true, force: true });
  writeFileSync(
    join(build, MARKER),
    `${JSON.stringify({ tfjsNodeVersion, tensorflowVersion, wheel, builtAt: new Date().toISOString(), seconds: seconds() }, null, 2)}\n`,
  );
}

/**
 * Disk used by a folder (bytes), following no symlinks: the cost of a build in the cache.
 *
 * @example
 * ```ts
 * (diskUsage("/root/.cache/sam-backend") / 2 ** 20).toFixed(0); // MiB
 * ```
 */
export function diskUsage(dir: string): number {
  const r = spawnSync("du", ["-sb", dir], { encoding: "utf8" });
  if (r.status === 0) return Number(r.stdout.split("\t")[0]);
  return statSync(dir).size;
}

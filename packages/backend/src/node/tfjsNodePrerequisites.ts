import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** What {@link tfjsNodePrerequisites} looks at; every field defaults to this machine. */
export interface MachineProbe {
  platform: string;
  arch: string;
  /** `process.versions.node`. */
  nodeVersion: string;
  /** Runs `command args` and returns whether it exited 0. */
  runs(command: string, args: readonly string[]): boolean;
  /** Whether a file exists. */
  exists(path: string): boolean;
  env: Record<string, string | undefined>;
}

/** The commands and folders the build needs, as resolved by {@link tfjsNodePrerequisites}. */
export interface Toolchain {
  /** Python interpreter that runs `-m pip download` and reads the wheel. */
  python: string;
  /** The Node headers folder handed to node-gyp as `npm_config_nodedir`. */
  nodedir: string;
}

/** A missing prerequisite: what is missing and what to do about it. */
export interface MissingPrerequisite {
  missing: string;
  fix: string;
}

const thisMachine = (): MachineProbe => ({
  platform: process.platform,
  arch: process.arch,
  nodeVersion: process.versions.node,
  runs: (command, args) => spawnSync(command, args, { stdio: "ignore", timeout: 30_000 }).status === 0,
  exists: existsSync,
  env: process.env,
});

/**
 * Checks, without changing anything, what building tfjs-node against the `tensorflow-cpu` wheel
 * needs: Linux on x64 (the only platform whose wheel ships `libtensorflow_cc.so.2` with the C API
 * in the layout tfjs-node links against), Node >= 20 (N-API 8), npm, Python with pip, a C++
 * compiler and make, and the Node headers (node-gyp cannot download them offline). Returns the
 * toolchain, or every missing piece with its fix.
 *
 * @example
 * ```ts
 * const check = tfjsNodePrerequisites();
 * if (!check.ok) for (const m of check.missing) console.error(`${m.missing}: ${m.fix}`);
 * ```
 */
export function tfjsNodePrerequisites(
  options: { python?: string; probe?: Partial<MachineProbe> } = {},
): { ok: true; toolchain: Toolchain } | { ok: false; missing: MissingPrerequisite[] } {
  const probe = { ...thisMachine(), ...options.probe };
  const missing: MissingPrerequisite[] = [];
  if (probe.platform !== "linux" || probe.arch !== "x64") {
    missing.push({
      missing: `a supported platform (this is ${probe.platform}-${probe.arch}; the wheel route is built for linux-x64)`,
      fix:
        "run a plain `npm i @tensorflow/tfjs-node`, whose own install downloads a prebuilt libtensorflow for " +
        "darwin/win32, or use setupBackend()'s wasm backend",
    });
  }
  const major = Number(probe.nodeVersion.split(".")[0]);
  if (!(major >= 20)) {
    missing.push({ missing: `Node >= 20 (this is ${probe.nodeVersion})`, fix: "install Node 20 or newer" });
  }
  if (!probe.runs("npm", ["--version"])) {
    missing.push({ missing: "npm", fix: "install npm (it ships with Node) and put it on PATH" });
  }
  const python = options.python ?? probe.env.PYTHON ?? "python3";
  if (!probe.runs(python, ["--version"])) {
    missing.push({
      missing: `Python ('${python}' does not run)`,
      fix: "install python3 (apt-get install -y python3 python3-pip) or pass --python <interpreter>",
    });
  } else if (!probe.runs(python, ["-m", "pip", "--version"])) {
    missing.push({
      missing: `pip ('${python} -m pip' does not run)`,
      fix: "install pip (apt-get install -y python3-pip, or python3 -m ensurepip)",
    });
  }
  const cxx = probe.env.CXX ?? "g++";
  if (!probe.runs(cxx, ["--version"])) {
    missing.push({
      missing: `a C++ compiler ('${cxx}' does not run)`,
      fix: "install one (apt-get install -y g++ make) or set CXX",
    });
  }
  if (!probe.runs("make", ["--version"])) {
    missing.push({ missing: "make", fix: "install it (apt-get install -y make)" });
  }
  const nodedir = probe.env.npm_config_nodedir || dirname(dirname(process.execPath));
  if (!probe.exists(join(nodedir, "include", "node", "node_api.h"))) {
    missing.push({
      missing: `the Node headers (no ${join(nodedir, "include", "node", "node_api.h")})`,
      fix:
        "install them (Debian: apt-get install -y libnode-dev or nodejs-dev; or unpack node-v<version>-headers.tar.gz) " +
        "and set npm_config_nodedir to the folder that holds include/node",
    });
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, toolchain: { python, nodedir } };
}

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";

/**
 * Libraries tfjs-node links against, as the wheel names them under `tensorflow/`.
 *
 * @example
 * ```ts
 * WHEEL_LIBRARIES[0]; // "libtensorflow_cc.so.2": the TF_* / TFE_* C API
 * ```
 */
export const WHEEL_LIBRARIES = ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"] as const;

/**
 * Header folders (under the wheel's `tensorflow/include/`) that tfjs-node's binding includes.
 *
 * @example
 * ```ts
 * WHEEL_HEADER_DIRS.includes("tensorflow/c/"); // true: c_api.h, eager/c_api.h
 * ```
 */
export const WHEEL_HEADER_DIRS = ["tensorflow/c/", "tensorflow/core/platform/", "tsl/", "xla/tsl/"] as const;

/**
 * The libtensorflow names tfjs-node's `binding.gyp` (`-ltensorflow -ltensorflow_framework`) and
 * `scripts/install.js` (the 2.9.1 names it checks before downloading) look for, each a symlink
 * to the wheel's library with the same C API.
 */
const LINKS: Record<string, (typeof WHEEL_LIBRARIES)[number]> = {
  "libtensorflow.so": "libtensorflow_cc.so.2",
  "libtensorflow.so.2.9.1": "libtensorflow_cc.so.2",
  "libtensorflow_framework.so": "libtensorflow_framework.so.2",
  "libtensorflow_framework.so.2.9.1": "libtensorflow_framework.so.2",
};

// Streams only the wanted members out of the wheel (a zip); prints the missing ones as JSON.
const EXTRACT = `
import json, os, shutil, sys, zipfile
wheel, deps, libs, heads = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
z = zipfile.ZipFile(wheel)
names = z.namelist()
missing = [l for l in libs if "tensorflow/" + l not in names]
missing += [h for h in heads if not any(n.startswith("tensorflow/include/" + h) for n in names)]
if missing:
    print(json.dumps(missing)); sys.exit(3)
for n in names:
    if n.endswith("/"): continue
    if n[len("tensorflow/"):] in libs:
        target = os.path.join(deps, "lib", n[len("tensorflow/"):])
    elif any(n.startswith("tensorflow/include/" + h) for h in heads):
        target = os.path.join(deps, "include", n[len("tensorflow/include/"):])
    else:
        continue
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with z.open(n) as s, open(target, "wb") as d: shutil.copyfileobj(s, d, 1 << 20)
print("[]")
`;

/**
 * Downloads the `tensorflow-cpu` wheel (no dependencies, binary only) with pip into `dir`,
 * unless a wheel of that version is already there, and returns its path. pip finds it by
 * package name on PyPI or any mirror pip is configured with.
 *
 * @example
 * ```ts
 * const wheel = downloadWheel("python3", "2.21.0", "/tmp/wheel");
 * ```
 */
export function downloadWheel(python: string, version: string, dir: string): string {
  const existing = () =>
    readdirSync(dir).find((f) => f.startsWith(`tensorflow_cpu-${version}-`) && f.endsWith(".whl"));
  mkdirSync(dir, { recursive: true });
  const cached = existing();
  if (cached) return join(dir, cached);
  const args = [
    "-m",
    "pip",
    "download",
    "--no-deps",
    "--only-binary=:all:",
    `tensorflow-cpu==${version}`,
    "-d",
    dir,
  ];
  const r = spawnSync(python, args, { encoding: "utf8" });
  const found = existing();
  if (r.status !== 0 || !found) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-6).join("\n");
    throw new Error(
      `installTfjsNode: '${python} ${args.join(" ")}' could not fetch the tensorflow-cpu ${version} wheel ` +
        `(pip said:\n${tail}\n); check that pip can reach PyPI or your mirror (pip config list), or pass ` +
        "--tensorflow <version> for a version your index has.",
    );
  }
  return join(dir, found);
}

/**
 * Copies the TensorFlow C libraries and headers tfjs-node needs from a `tensorflow-cpu` wheel
 * into `depsDir/lib` and `depsDir/include`, and adds the library names tfjs-node looks for
 * (symlinks). Throws, naming what is absent, when the wheel lacks any of them.
 *
 * @example
 * ```ts
 * const wheel = downloadWheel("python3", "2.21.0", "/tmp/wheel");
 * extractWheelLibraries("python3", wheel, "/tmp/build/node_modules/@tensorflow/tfjs-node/deps");
 * ```
 */
export function extractWheelLibraries(python: string, wheel: string, depsDir: string): void {
  const r = spawnSync(
    python,
    ["-c", EXTRACT, wheel, depsDir, JSON.stringify(WHEEL_LIBRARIES), JSON.stringify(WHEEL_HEADER_DIRS)],
    { encoding: "utf8" },
  );
  if (r.status === 3) {
    const missing = JSON.parse(r.stdout.trim()) as string[];
    throw new Error(
      `installTfjsNode: the wheel ${wheel} has no ${missing.map((m) => `tensorflow/${WHEEL_LIBRARIES.includes(m as never) ? m : `include/${m}`}`).join(", ")}; ` +
        "tfjs-node needs libtensorflow_cc.so.2 (the C API), libtensorflow_framework.so.2 and the C headers. " +
        "Use a tensorflow-cpu wheel for linux x86_64 from 2.x (pass --tensorflow 2.21.0).",
    );
  }
  if (r.status !== 0) {
    throw new Error(`installTfjsNode: reading the wheel ${wheel} failed: ${(r.stderr || r.stdout).trim()}`);
  }
  for (const [name, target] of Object.entries(LINKS)) {
    symlinkSync(target, join(depsDir, "lib", name));
  }
}

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tfjsNodePresent } from "../../test/tfjsNodePresence";
import { installTfjsNode } from "./installTfjsNode";
import { verifyTfjsNode } from "./verifyTfjsNode";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const workspace = join(packageDir, "..", "..");

function emptyProject(): string {
  const project = mkdtempSync(join(tmpdir(), "sam-install-"));
  writeFileSync(join(project, "package.json"), '{"name":"app","version":"1.0.0"}');
  return project;
}

describe("installTfjsNode", () => {
  it("refuses a folder that is not a project", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sam-install-"));
    await expect(installTfjsNode({ project: dir })).rejects.toThrow(
      new RegExp(`${dir} has no package.json; pass the project folder \\(--dir <project>\\)`),
    );
  });

  it("stops before building on an unsupported platform, saying what to do", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "sam-cache-"));
    await expect(
      installTfjsNode({ project: emptyProject(), cacheDir, probe: { platform: "win32", arch: "x64" } }),
    ).rejects.toThrow(
      /cannot build @tensorflow\/tfjs-node here; missing:\n {2}- a supported platform \(this is win32-x64;.*\): run a plain `npm i @tensorflow\/tfjs-node`/,
    );
  });

  it("reports a failed npm install in the build folder with npm's words and the fix, touching no project file", async () => {
    // a fake npm on PATH: answers --version, fails to install like a machine without a registry
    const bin = mkdtempSync(join(tmpdir(), "sam-bin-"));
    writeFileSync(
      join(bin, "npm"),
      '#!/bin/sh\n[ "$1" = "--version" ] && { echo 10.0.0; exit 0; }\necho "npm error code ECONNREFUSED" >&2\nexit 1\n',
    );
    chmodSync(join(bin, "npm"), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    const project = emptyProject();
    const cacheDir = mkdtempSync(join(tmpdir(), "sam-cache-"));
    try {
      await expect(
        installTfjsNode({ project, cacheDir, probe: { runs: () => true, exists: () => true } }),
      ).rejects.toThrow(
        /npm install of tfjs-node into the build folder failed \(`npm install --ignore-scripts[^`]*` in .*\/stage\):\nnpm error code ECONNREFUSED\ncheck that npm reaches its registry/,
      );
    } finally {
      process.env.PATH = path;
    }
    expect(existsSync(join(project, "node_modules"))).toBe(false);
    expect(existsSync(join(cacheDir, "tfjs-node-4.22.0-tensorflow-cpu-2.21.0-linux-x64", "build.json"))).toBe(
      false,
    );
  });
});

describe("verifyTfjsNode", () => {
  it("reports a project without tfjs-node as not installed", () => {
    expect(verifyTfjsNode(emptyProject())).toMatchObject({ ok: false, reason: "not installed" });
  });
});

// After `pnpm setup:tfjs-node`: the command is idempotent (it checks, finds it working, builds nothing).
describe.runIf(tfjsNodePresent)("sam-backend install-tfjs-node on this workspace", () => {
  it("finds the working install and changes nothing", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "install-tfjs-node", "--dir", workspace, "--json"],
      { cwd: packageDir, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(out).toMatchObject({ action: "already-working", backend: "tensorflow", tfjs_node: "4.22.0" });
    // "already-working" is the path that builds nothing; how long the check took is not asserted
    // (a loaded CI machine takes several seconds just to start tsx)
    expect(r.stderr).toMatch(/already works in .* \(backend 'tensorflow'\); nothing to do/);
  });

  it("prints its usage for a wrong command", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "install-tfjs"], {
      cwd: packageDir,
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'install-tfjs'[\s\S]*usage: sam-backend install-tfjs-node/);
  });
});

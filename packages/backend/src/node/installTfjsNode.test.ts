import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
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
});

describe("verifyTfjsNode", () => {
  it("reports a project without tfjs-node as not installed", () => {
    expect(verifyTfjsNode(emptyProject())).toMatchObject({ ok: false, reason: "not installed" });
  });
});

// After `pnpm setup:tfjs-node`: the command is idempotent and fast the second time.
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
    expect(out.seconds).toBeLessThan(15);
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

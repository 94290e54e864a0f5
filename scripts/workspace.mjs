#!/usr/bin/env node
// Entry point of the README's two commands (`npm run demo`, `npm test`) on a machine that has
// only Node 20+ and npm. It makes sure pnpm (the version pinned in package.json) and the
// workspace's dependencies are installed, then runs the given root script with pnpm.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const script = process.argv[2];
if (!script) {
  console.error("usage: node scripts/workspace.mjs <root script> [args...]");
  process.exit(2);
}
const wanted = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];

/** The command that runs the pinned pnpm: a global one of the right version, else npx. */
function pnpmCommand() {
  try {
    const version = execFileSync("pnpm", ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    if (version === wanted) return ["pnpm"];
  } catch {}
  return ["npx", "--yes", `pnpm@${wanted}`];
}

function run(cmd, args) {
  const result = spawnSync(cmd[0], [...cmd.slice(1), ...args], {
    cwd: root,
    stdio: "inherit",
    env: process.env,
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const pnpm = pnpmCommand();
const installed = existsSync(join(root, "node_modules", ".modules.yaml"));
if (!installed || process.env.CI) {
  console.log(`> installing the workspace with pnpm ${wanted}`);
  const status = run(pnpm, ["install", "--frozen-lockfile"]);
  if (status !== 0) process.exit(status);
}
process.exit(run(pnpm, ["run", script, ...process.argv.slice(3)]));

#!/usr/bin/env node
// `npm test` (root script test:all): every package's fast tests through turbo, then one closing
// line, "Tests: N passed, N failed, N skipped". With --long, or when CI is set, the long project
// (`*.long.test.ts`: statistical runs of thousands of steps, kill-and-resume runs) runs too and
// the closing line sums both, so CI's last line counts every test it ran.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
const long = process.argv.includes("--long") || Boolean(process.env.CI);
const summary = join(root, "scripts", "testSummary.mjs");
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit" }).status ?? 1;

run(process.execPath, [summary, "--clean"]);
const tasks = long ? ["test", "test:long"] : ["test"];
// turbo's own exit status is not used: a failed test shows in the summary, which also catches a
// package whose run crashed before writing its report
run(join(root, "node_modules", ".bin", "turbo"), ["run", ...tasks, "--continue", "--output-logs=new-only"]);
process.exit(run(process.execPath, [summary, "--fast", ...(long ? ["--long"] : [])]));

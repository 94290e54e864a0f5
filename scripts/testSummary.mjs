#!/usr/bin/env node
// Sums the vitest JSON reports that every package's test run leaves in test-results.json and
// prints one closing line, "Tests: N passed, N failed, N skipped", that CI can read.
// Exits non-zero when a test failed or when no test ran at all.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0,
  failed = 0,
  skipped = 0;
const rows = [];
for (const area of ["packages", "tools", "examples"]) {
  if (!existsSync(join(root, area))) continue;
  for (const name of readdirSync(join(root, area))) {
    const file = join(root, area, name, "test-results.json");
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    rows.push(
      `${`${area}/${name}`.padEnd(28)} ${String(r.numPassedTests).padStart(5)} passed ${String(r.numFailedTests).padStart(3)} failed ${String(r.numPendingTests).padStart(3)} skipped`,
    );
  }
}
console.log(rows.join("\n"));
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

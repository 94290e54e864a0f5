#!/usr/bin/env node
// Sums the vitest JSON reports that every package's test runs leave and prints one closing
// line, "Tests: N passed, N failed, N skipped", that CI can read. The fast tests (`test`, the
// default, or --fast) write test-results.json; the long ones (`test:long`, --long) write
// test-results.long.json; --fast --long sums both (what CI runs).
// Exits non-zero when a test failed, when a package with such tests left no results, or when no
// test ran at all. With --clean it only deletes earlier results of both kinds (run it before
// the tests).
import { existsSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const clean = process.argv.includes("--clean");
// --file NAME: read NAME instead of test-results.json; --expect a/b,c/d: only those packages,
// each of which must have results (scripts/testOnBackend.mjs runs a selection on one backend)
const option = (name) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const resultsFile = option("--file") ?? "test-results.json";
const expected = option("--expect")?.split(",");
const long = process.argv.includes("--long");
const fast = process.argv.includes("--fast") || !long;
/** The kinds of run to sum: the package script that runs them and the report it writes. */
const kinds = [
  ...(fast ? [{ script: "test", report: resultsFile, tag: "" }] : []),
  ...(long ? [{ script: "test:long", report: "test-results.long.json", tag: " (long)" }] : []),
];
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const missing = [];
/** "area/name > file > test title: first line of the failure", for every failed test (CI prints only its tail). */
const failures = [];
for (const area of ["packages", "tools", "examples"]) {
  if (!existsSync(join(root, area))) continue;
  for (const name of readdirSync(join(root, area))) {
    const manifest = join(root, area, name, "package.json");
    if (!existsSync(manifest)) continue;
    if (expected && !expected.includes(`${area}/${name}`)) continue;
    if (clean) {
      // forget earlier results, so a package whose tests did not run cannot pass on stale ones
      for (const report of ["test-results.json", "test-results.long.json"]) {
        const file = join(root, area, name, report);
        if (existsSync(file)) unlinkSync(file);
      }
      continue;
    }
    const scripts = JSON.parse(readFileSync(manifest, "utf8")).scripts ?? {};
    for (const kind of kinds) {
      const file = join(root, area, name, kind.report);
      if (!existsSync(file)) {
        if (expected || scripts[kind.script]) missing.push(`${area}/${name}${kind.tag}`);
        continue;
      }
      const r = JSON.parse(readFileSync(file, "utf8"));
      passed += r.numPassedTests;
      failed += r.numFailedTests;
      skipped += r.numPendingTests + (r.numTodoTests ?? 0);
      for (const file of r.testResults ?? []) {
        for (const t of file.assertionResults ?? []) {
          if (t.status !== "failed") continue;
          const message = String(t.failureMessages?.[0] ?? "")
            .split("\n")[0]
            .slice(0, 300);
          const where = file.name.startsWith(join(root, area, name))
            ? file.name.slice(join(root, area, name).length + 1)
            : file.name;
          // vitest reports a timeout as "Error: STACK_TRACE_ERROR"; the duration tells it apart
          const seconds = `${((t.duration ?? 0) / 1000).toFixed(1)} s`;
          failures.push(
            `${area}/${name}${kind.tag} > ${where} > ${t.fullName ?? t.title} (${seconds}): ${message}`,
          );
        }
      }
      rows.push(
        `${`${area}/${name}${kind.tag}`.padEnd(34)} ${String(r.numPassedTests).padStart(5)} passed ${String(r.numFailedTests).padStart(3)} failed ${String(r.numPendingTests).padStart(3)} skipped`,
      );
    }
  }
}
if (clean) process.exit(0);
console.log(rows.join("\n"));
if (failures.length > 0) console.log(`failed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
if (missing.length > 0)
  console.log(`no test results from: ${missing.join(", ")} (their test run crashed or did not start)`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || missing.length > 0 ? 1 : 0);

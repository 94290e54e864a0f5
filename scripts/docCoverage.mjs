#!/usr/bin/env node
// Doc coverage: every public export of every published package must carry a summary, and
// every exported function, class and constant a runnable @example as well (interfaces and
// type aliases need a summary only). Reads the TypeScript sources through typedoc's JSON
// output, prints what is missing and exits non-zero when anything is.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, ".out");
mkdirSync(out, { recursive: true });
const json = join(out, "typedoc.json");
execFileSync(join(root, "node_modules/.bin/typedoc"), ["--json", json, "--logLevel", "Error"], {
  cwd: root,
  stdio: "inherit",
});
const project = JSON.parse(readFileSync(json, "utf8"));

// typedoc ReflectionKind values
const KIND = { Module: 2, Variable: 32, Function: 64, Class: 128, Interface: 256, TypeAlias: 2097152 };
const NEEDS_EXAMPLE = new Set([KIND.Variable, KIND.Function, KIND.Class]);
const text = (comment) =>
  (comment?.summary ?? [])
    .map((p) => p.text)
    .join("")
    .trim();
const hasExample = (comment) => (comment?.blockTags ?? []).some((t) => t.tag === "@example");

const missing = [];
let checked = 0;
for (const pkg of project.children ?? []) {
  for (const child of pkg.children ?? []) {
    if (![KIND.Variable, KIND.Function, KIND.Class, KIND.Interface, KIND.TypeAlias].includes(child.kind))
      continue;
    checked++;
    // functions document their first signature; everything else documents itself
    const comment =
      child.kind === KIND.Function ? (child.signatures?.[0]?.comment ?? child.comment) : child.comment;
    const problems = [];
    if (!text(comment)) problems.push("no summary");
    if (NEEDS_EXAMPLE.has(child.kind) && !hasExample(comment)) problems.push("no @example");
    if (problems.length) missing.push(`${pkg.name}: ${child.name} (${problems.join(", ")})`);
  }
}
if (missing.length) {
  console.log(missing.join("\n"));
  console.log(`doc coverage: ${missing.length} of ${checked} public exports lack a summary or an example`);
  process.exit(1);
}
console.log(`doc coverage: all ${checked} public exports have a summary (and an example where required)`);

#!/usr/bin/env node
// Type-checks the documentation's code: every fenced ```ts block of a TSDoc @example in the
// sources of every published package, and every ```ts / ```typescript block of the READMEs
// (root, packages, examples) and of docs/**/*.md. Each block becomes one module under
// .out/doc-examples/, and ONE tsc program checks them all (seconds, not one compiler per block).
//
// Not checked: examples in src/internal/ (not published documentation) and in test fixtures.
//
// What a block may take for granted (declared in .out/doc-examples/context.d.ts):
// - in a block that imports nothing: `tf` (@tensorflow/tfjs) and the names it uses that the
//   file it documents exports (a TSDoc block) or the package it documents exports (a README
//   block of @sam/langevin sees @sam/langevin and @sam/core; the root README and docs/ see all);
// - the usual surroundings of an example: `model` (a tf.LayersModel), `params` (a ParamSet),
//   `optimizer` (a GroupedOptimizer), `lossFn` (() => tf.Scalar), `x`, `y`, `xs`, `ys`
//   (tensors), `w` (a tf.Variable).
// Everything else an example uses it must declare or import itself; imports of a package's
// entry points (`@sam/models`, `@sam/models/node`, ...) resolve to their sources.
//
// Usage: node scripts/docExamples.mjs [--list]   (--list prints the blocks it found)
// Exits non-zero, listing each failing block as <source file>:<line> with tsc's message.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, ".out", "doc-examples");

/** Files under `dir` (recursive) whose name passes `keep`, skipping node_modules, build output and `skip`. */
function walk(dir, keep, skip = [], acc = []) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    if (["node_modules", "dist", ".turbo", "api", ...skip].includes(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, keep, skip, acc);
    else if (keep(name)) acc.push(path);
  }
  return acc;
}

/** The published packages: name, directory, exported names (from src/index.ts). */
const packages = readdirSync(join(root, "packages"))
  .map((dir) => join(root, "packages", dir))
  .filter((dir) => existsSync(join(dir, "package.json")))
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return { name: manifest.name, dir, private: manifest.private === true, exports: exportedNames(dir) };
  })
  .filter((p) => !p.private);
const byName = new Map(packages.map((p) => [p.name, p]));

/** Value and type names `src/index.ts` re-exports (`export { a, type B } from ...`). */
function exportedNames(dir) {
  const index = join(dir, "src", "index.ts");
  if (!existsSync(index)) return [];
  const names = [];
  for (const m of readFileSync(index, "utf8").matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[2].split(",")) {
      const name = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop();
      if (name) names.push(name);
    }
  }
  return names;
}

/** Names a source file exports itself (`export function f`, `export const c`, ...). */
function fileExports(file) {
  const text = readFileSync(file, "utf8");
  return [
    ...text.matchAll(
      /^export\s+(?:async\s+)?(?:function|const|class|interface|type|abstract class)\s+([A-Za-z_$][\w$]*)/gm,
    ),
  ].map((m) => m[1]);
}

/** `{ code, line }` for each fenced ts block of a TSDoc @example in a source file. */
function tsdocBlocks(text) {
  const blocks = [];
  const lines = text.split("\n");
  let inExample = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*\/\*\*/.test(line)) inExample = false;
    if (/@example\b/.test(line)) inExample = true;
    else if (/^\s*\*\s*@\w+/.test(line)) inExample = false;
    const fence = /^\s*\*\s?```(ts|typescript)\s*$/.exec(line);
    if (!inExample || !fence) continue;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*\*\s?```\s*$/.test(lines[j]); j++)
      body.push(lines[j].replace(/^\s*\*( |$)/, ""));
    blocks.push({ code: body.join("\n"), line: i + 2 });
    i = j;
  }
  return blocks;
}

/** `{ code, line }` for each ```ts / ```typescript block of a markdown file (not ```ts ignore). */
function markdownBlocks(text) {
  const blocks = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```(ts|typescript)\s*$/.test(lines[i])) continue;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j]);
    blocks.push({ code: body.join("\n"), line: i + 2 });
    i = j;
  }
  return blocks;
}

/** The packages a file documents: its own package (and core, which every package builds on). */
function documentedPackages(file) {
  const pkg = packages.find((p) => file.startsWith(`${p.dir}/`));
  const core = byName.get("@sam/core");
  if (pkg) return pkg === core ? [core] : [pkg, core];
  return [...packages]; // root README, docs/, examples: every package
}

const sources = [
  ...packages.flatMap((p) =>
    walk(join(p.dir, "src"), (n) => n.endsWith(".ts") && !n.endsWith(".test.ts") && !n.endsWith(".d.ts"), [
      "internal",
      "__fixtures__",
    ]),
  ),
];
const markdown = [
  join(root, "README.md"),
  ...packages.map((p) => join(p.dir, "README.md")),
  ...walk(join(root, "docs"), (n) => n.endsWith(".md")),
  ...walk(join(root, "examples"), (n) => n === "README.md"),
].filter((f) => existsSync(f));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const generated = new Map(); // generated file -> { source, line }
let count = 0;
for (const [file, blocks] of [
  ...sources.map((f) => [f, tsdocBlocks(readFileSync(f, "utf8"))]),
  ...markdown.map((f) => [f, markdownBlocks(readFileSync(f, "utf8"))]),
]) {
  for (const block of blocks) {
    const name = `${relative(root, file).replace(/[/.]/g, "_")}_${block.line}.ts`;
    const own = file.endsWith(".ts")
      ? [{ name: relative(out, file).replace(/\.ts$/, ""), exports: fileExports(file) }]
      : [];
    const header = autoImports(block.code, [...own, ...documentedPackages(file)]);
    writeFileSync(join(out, name), `${header}${block.code}\nexport {};\n`);
    generated.set(name, {
      source: relative(root, file),
      line: block.line,
      offset: header.split("\n").length - 1,
    });
    count++;
  }
}
if (process.argv.includes("--list")) for (const [, g] of generated) console.log(`${g.source}:${g.line}`);

/** For a block that imports nothing: imports of the documented packages' exports it names. */
function autoImports(code, pkgs) {
  if (/^\s*import\s/m.test(code)) return "";
  const declared = new Set(
    [...code.matchAll(/\b(?:const|let|var|function|class|interface|type)\s+([A-Za-z_$][\w$]*)/g)].map(
      (m) => m[1],
    ),
  );
  const used = new Set(code.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const taken = new Set();
  let header = used.has("tf") && !declared.has("tf") ? 'import * as tf from "@tensorflow/tfjs";\n' : "";
  for (const p of pkgs) {
    const names = p.exports.filter((n) => used.has(n) && !declared.has(n) && !taken.has(n));
    for (const n of names) taken.add(n);
    if (names.length > 0) header += `import { ${names.join(", ")} } from "${p.name}";\n`;
  }
  return header;
}

// The surroundings every example may assume, and one program over every block.
writeFileSync(
  join(out, "context.d.ts"),
  `import type * as tfjs from "@tensorflow/tfjs";
import type { GroupedOptimizer, ParamSet } from "@sam/core";
declare global {
  const model: tfjs.LayersModel;
  const params: ParamSet;
  const optimizer: GroupedOptimizer;
  const lossFn: () => tfjs.Scalar;
  const xs: tfjs.Tensor;
  const ys: tfjs.Tensor;
  const x: tfjs.Tensor;
  const y: tfjs.Tensor;
  const w: tfjs.Variable;
}
`,
);
// Every entry point a package exports ("." and subpaths such as "./node"), at its source file.
const paths = Object.fromEntries(
  packages.flatMap((p) => {
    const manifest = JSON.parse(readFileSync(join(p.dir, "package.json"), "utf8"));
    const entries = Object.entries(manifest.exports ?? { ".": { "@sam/source": "./src/index.ts" } });
    return entries
      .filter(([, target]) => typeof target === "object" && target?.["@sam/source"])
      .map(([sub, target]) => [
        sub === "." ? p.name : `${p.name}/${sub.replace(/^\.\//, "")}`,
        [relative(out, join(p.dir, target["@sam/source"]))],
      ]);
  }),
);
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify(
    {
      extends: relative(out, join(root, "tsconfig.base.json")),
      compilerOptions: { noEmit: true, declaration: false, baseUrl: ".", paths, lib: ["ES2022", "DOM"] },
      include: ["*.ts"],
    },
    null,
    2,
  ),
);
let report = "";
try {
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(out, "tsconfig.json"), "--pretty", "false"], {
    cwd: out,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
} catch (e) {
  report = `${e.stdout ?? ""}${e.stderr ?? ""}`;
}
// tsc reports paths relative to its cwd: map each error in a generated block back to its source
const failures = new Map();
const elsewhere = [];
for (const line of report.split("\n").filter(Boolean)) {
  const m = /^([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
  const g = m && generated.get(m[1]);
  if (!g) {
    if (!/^\s/.test(line)) elsewhere.push(line);
    continue;
  }
  const where = `${g.source}:${g.line + Number(m[2]) - 1 - g.offset}`;
  failures.set(`${g.source}:${g.line}`, [
    ...(failures.get(`${g.source}:${g.line}`) ?? []),
    `${where}: ${m[4]}`,
  ]);
}
for (const [block, errors] of failures) {
  console.log(`\n${block}`);
  for (const e of errors) console.log(`  ${e}`);
}
if (elsewhere.length > 0) console.log(`\nerrors outside the examples:\n${elsewhere.join("\n")}`);
console.log(
  `\ndocs:examples: ${count} blocks from ${sources.length} sources and ${markdown.length} markdown files, ${failures.size} failing`,
);
process.exit(failures.size > 0 || elsewhere.length > 0 ? 1 : 0);

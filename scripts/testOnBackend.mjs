#!/usr/bin/env node
// pnpm test:tensorflow (= node scripts/testOnBackend.mjs tensorflow): runs a lean selection of
// the test files on one backend, with SAM_BACKEND set (the shared vitest setup,
// packages/backend/test/vitestBackendSetup.ts, starts that backend with setupBackend() before
// each file), and closes with the README's "Tests: N passed, N failed, N skipped" line.
// The selection: the optimizer conformance suite of every public optimizer and rule, the SAM
// and Langevin reference-case replays, a training smoke test of every model builder, SAM-ON's
// pruned first pass (Conv2DBackpropFilter count), the landscape tools, and setupBackend. The
// long statistical tests stay on the default backend.
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
const backend = process.argv[2];
if (!backend) {
  console.error("usage: node scripts/testOnBackend.mjs <tensorflow|wasm|cpu>");
  process.exit(2);
}
const SELECTION = {
  "packages/backend": [
    "src/setupBackend.test.ts",
    "src/registerTrainingGradients.test.ts",
    "src/modelsTrain.test.ts",
    "src/node/installTfjsNode.test.ts",
  ],
  "packages/core": [
    "src/sam/sam.test.ts",
    "src/sam/samVariants.test.ts",
    "src/sam/esamOracle.test.ts",
    "src/sam/aeSamOracle.test.ts",
    "src/sam/friendlySamOracle.test.ts",
    "src/sam/fisherSamOracle.test.ts",
    "src/sam/samMemory.test.ts",
    "src/optimizer/groupedOptimizer.test.ts",
  ],
  "packages/multirate": ["src/multirateRule.test.ts", "src/subgroupMultirate.test.ts", "src/multirate.test.ts"],
  "packages/langevin": [
    "src/langevin.test.ts",
    "src/sgld.test.ts",
    "src/overdampedLangevin.test.ts",
    "src/adaptiveLangevin.test.ts",
    "src/constraint.test.ts",
    "src/partitionedSchemes.test.ts",
    "src/replayLangevinCase.test.ts",
  ],
  "packages/landscape": [
    "src/leaks.test.ts",
    "src/interpolation/interpolate.test.ts",
    "src/slices/slices.test.ts",
    "src/hessian/hessian.test.ts",
    "src/sharpness/sharpness.test.ts",
  ],
  "tools/reference": ["src/samCase.test.ts"],
  // SAM-ON's pruned first pass on a CIFAR ResNet (core cannot depend on @sam/models)
  "tools/integration": ["src/samOnResNet.test.ts"],
};
const RESULTS = `test-results.${backend}.json`;

if (backend === "tensorflow") {
  const r = spawnSync(process.execPath, ["-e", "require('@tensorflow/tfjs-node')"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    console.error(
      "test:tensorflow: @tensorflow/tfjs-node does not load from the workspace root; run `pnpm setup:tfjs-node` first.\n" +
        (r.stderr ?? "").split("\n").find((l) => /Error/.test(l)),
    );
    process.exit(1);
  }
}
const started = Date.now();
for (const [dir, files] of Object.entries(SELECTION)) {
  const cwd = join(root, dir);
  // vitest writes test-results.json (vitest.shared.ts); results of an earlier run, of either
  // name, are deleted first so that a crashed run cannot count stale results
  for (const name of ["test-results.json", RESULTS]) if (existsSync(join(cwd, name))) unlinkSync(join(cwd, name));
  console.log(`\n--- ${dir} on ${backend}: ${files.length} file(s)`);
  spawnSync(join(root, "node_modules", ".bin", "vitest"), ["run", ...files], {
    cwd,
    stdio: "inherit",
    env: { ...process.env, SAM_BACKEND: backend, TF_CPP_MIN_LOG_LEVEL: "2" },
  });
  if (existsSync(join(cwd, "test-results.json"))) renameSync(join(cwd, "test-results.json"), join(cwd, RESULTS));
}
console.log(`\n${backend}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
const summary = spawnSync(
  process.execPath,
  [join(root, "scripts", "testSummary.mjs"), "--file", RESULTS, "--expect", Object.keys(SELECTION).join(",")],
  { stdio: "inherit" },
);
process.exit(summary.status ?? 1);

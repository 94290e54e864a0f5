/**
 * `pnpm test:browser`: bundles `page.ts` (the scenarios of `scenarios.ts` with TensorFlow.js) with
 * esbuild, opens it in the system Chromium, headless, and runs every scenario on cpu, on webgl
 * and webgpu (both on SwiftShader, software) and on wasm with @sam/backend's kernels
 * (`SAM_BROWSER_BACKENDS=cpu,webgl` picks). The same scenarios run here in Node on cpu first; the
 * page's cpu values must equal Node's to 1e-4, the others' to GPU_TOLERANCE (float32 in another
 * summation order). Every
 * scenario also checks that tensor counts do not grow. Prints one line per check and, last,
 * `Tests: N passed, N failed, N skipped`; exits 1 on a failure.
 */
import * as tf from "@tensorflow/tfjs";
import { launchChromium } from "./chromium";
import { runScenarios, type ScenarioResult } from "./scenarios";
import { bundlePage, openSuitePage } from "./suitePage";

const CPU_TOLERANCE = 1e-4;
const GPU_TOLERANCE = 1e-3;
// wasm last: it registers @sam/backend's training gradients, which are global to tfjs
const BACKENDS = (process.env.SAM_BROWSER_BACKENDS ?? "cpu,webgl,webgpu,wasm").split(",");

function maxDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const t0 = Date.now();
await tf.setBackend("cpu");
const [script, nodeResults] = await Promise.all([bundlePage(), runScenarios()]);
const byName = new Map(nodeResults.map((r) => [r.name, r]));

// WebGPU on Chromium's software adapter (SwiftShader), for the webgpu round.
const browser = await launchChromium(["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"]);
let passed = 0;
let failed = 0;
let skipped = 0;
const report = (ok: boolean, line: string) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "✓" : "✗"} ${line}`);
};
try {
  const page = await browser.context.newPage();
  const consoleErrors: string[] = [];
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  if (process.env.SAM_BROWSER_DEBUG)
    page.on("console", (m) => console.log(`  [page ${m.type()}] ${m.text().slice(0, 400)}`));
  await openSuitePage(page, script);
  for (const backend of BACKENDS) {
    const {
      backend: got,
      adapter,
      compiledKernels,
      results,
    } = (await page.evaluate((b) => window.samSuite.run(b), backend)) as {
      backend: string;
      adapter?: { vendor: string; architecture: string; isFallbackAdapter: boolean };
      compiledKernels?: boolean;
      results: ScenarioResult[];
    };
    report(
      got === backend,
      `[${backend}] backend in the page is ${got}${adapter ? ` (adapter ${JSON.stringify(adapter)})` : ""}`,
    );
    if (backend === "wasm")
      report(compiledKernels === true, "[wasm] @sam/backend's compiled convolution kernels load in the page");
    for (const r of results) {
      if (r.skipped) {
        skipped++;
        console.log(`- [${backend}] ${r.name}: skipped (${r.skipped})`);
        continue;
      }
      const node = byName.get(r.name);
      const problems = [...r.problems];
      if (!node) problems.push("no Node run of this scenario");
      else {
        const d = maxDiff(r.values, node.values);
        const tol = backend === "cpu" ? CPU_TOLERANCE : GPU_TOLERANCE;
        if (!(d <= tol)) {
          problems.push(
            `max |page - node cpu| = ${d.toExponential(2)} > ${tol} (page ${JSON.stringify(r.values)}, node ${JSON.stringify(node.values)})`,
          );
        }
        if (node.problems.length > 0) problems.push(`in Node: ${node.problems.join("; ")}`);
      }
      const d = node ? maxDiff(r.values, node.values) : Number.NaN;
      report(
        problems.length === 0,
        `[${backend}] ${r.name} (${r.ms} ms, max diff to Node ${d.toExponential(1)})${problems.length ? `\n    ${problems.join("\n    ")}` : ""}`,
      );
    }
  }
  report(
    consoleErrors.length === 0,
    `no uncaught page errors${consoleErrors.length ? `: ${consoleErrors.join("; ")}` : ""}`,
  );
} catch (e) {
  report(false, `the browser run failed: ${(e as Error).stack ?? String(e)}`);
} finally {
  await browser.close();
}
console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;

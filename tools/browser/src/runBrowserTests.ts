/**
 * `pnpm test:browser`: bundles `page.ts` (the scenarios of `scenarios.ts` with TensorFlow.js) with
 * esbuild, opens it in the system Chromium, headless, and runs every scenario on cpu and on webgl
 * (SwiftShader). The same scenarios run here in Node on cpu first; the page's cpu values must equal
 * Node's to 1e-4, webgl's to WEBGL_TOLERANCE (float32 on a GPU path, other summation order). Every
 * scenario also checks that tensor counts do not grow. Prints one line per check and, last,
 * `Tests: N passed, N failed, N skipped`; exits 1 on a failure.
 */
import { build } from "esbuild";
import * as tf from "@tensorflow/tfjs";
import { launchChromium } from "./chromium";
import { runScenarios, type ScenarioResult } from "./scenarios";

const CPU_TOLERANCE = 1e-4;
const WEBGL_TOLERANCE = 1e-3;
const ORIGIN = "http://sam.localhost";

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [new URL("./page.ts", import.meta.url).pathname],
    bundle: true,
    platform: "browser",
    format: "esm",
    conditions: ["@sam/source"],
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0]!.text;
}

function maxDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const t0 = Date.now();
await tf.setBackend("cpu");
const [script, nodeResults] = await Promise.all([bundlePage(), runScenarios()]);
const byName = new Map(nodeResults.map((r) => [r.name, r]));

const browser = await launchChromium();
let passed = 0;
let failed = 0;
const skipped = 0;
const report = (ok: boolean, line: string) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "✓" : "✗"} ${line}`);
};
try {
  const page = await browser.context.newPage();
  const consoleErrors: string[] = [];
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/page.js") return route.fulfill({ contentType: "text/javascript", body: script });
    return route.fulfill({
      contentType: "text/html",
      body: '<!doctype html><meta charset="utf-8"><title>@sam browser checks</title><script type="module" src="/page.js"></script>',
    });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => "samSuite" in window, undefined, { timeout: 30_000 });
  for (const backend of ["cpu", "webgl"]) {
    const { backend: got, results } = (await page.evaluate((b) => window.samSuite.run(b), backend)) as {
      backend: string;
      results: ScenarioResult[];
    };
    report(got === backend, `[${backend}] backend in the page is ${got}`);
    for (const r of results) {
      const node = byName.get(r.name);
      const problems = [...r.problems];
      if (!node) problems.push("no Node run of this scenario");
      else {
        const d = maxDiff(r.values, node.values);
        const tol = backend === "cpu" ? CPU_TOLERANCE : WEBGL_TOLERANCE;
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

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { build } from "esbuild";
import type { Page } from "playwright-core";

/** `*.localhost` is a secure context (WebGPU needs one); requests never leave the browser. */
const ORIGIN = "http://sam.localhost";

/** tfjs-backend-wasm's binaries, served under `/wasm/` (the page calls `setWasmPaths` with it). */
const WASM_DIR = join(
  dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json")),
  "dist",
);

/** Bundles `page.ts` (scenarios, TensorFlow.js with its webgl and webgpu backends) for the browser. */
export async function bundlePage(): Promise<string> {
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

/**
 * Opens the suite page in `page`: the HTML and `script` are served by request interception (no
 * server), and resolves once `window.samSuite` exists.
 */
export async function openSuitePage(page: Page, script: string): Promise<void> {
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/page.js") return route.fulfill({ contentType: "text/javascript", body: script });
    if (url.pathname.startsWith("/wasm/") && url.pathname.endsWith(".wasm"))
      return route.fulfill({
        contentType: "application/wasm",
        body: readFileSync(join(WASM_DIR, basename(url.pathname))),
      });
    return route.fulfill({
      contentType: "text/html",
      body: '<!doctype html><meta charset="utf-8"><title>@sam browser checks</title><script type="module" src="/page.js"></script>',
    });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => "samSuite" in window, undefined, { timeout: 30_000 });
}

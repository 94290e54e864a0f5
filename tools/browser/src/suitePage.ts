import { build } from "esbuild";
import type { Page } from "playwright-core";

/** `*.localhost` is a secure context (WebGPU needs one); requests never leave the browser. */
const ORIGIN = "http://sam.localhost";

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
    return route.fulfill({
      contentType: "text/html",
      body: '<!doctype html><meta charset="utf-8"><title>@sam browser checks</title><script type="module" src="/page.js"></script>',
    });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => "samSuite" in window, undefined, { timeout: 30_000 });
}

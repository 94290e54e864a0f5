import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** The system Chromium (Debian `chromium`); `SAM_CHROMIUM` overrides. Nothing downloads a browser. */
export const CHROMIUM = process.env.SAM_CHROMIUM ?? "/usr/bin/chromium";

/** Flags for a quiet, offline, headless run; WebGL through SwiftShader (software). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
];

/**
 * Launches the system Chromium headless with a fresh user-data-dir (deleted on close).
 *
 * @throws When the browser is missing, naming the package to install.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * const page = await browser.context.newPage();
 * await browser.close();
 * ```
 */
export async function launchChromium(
  extraFlags: string[] = [],
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install the system browser (Debian: apt-get install -y chromium) or set SAM_CHROMIUM.`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "sam-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

import { execFileSync } from "node:child_process";
import { launchChromium } from "@sam/browser-tests/chromium";
import { describe, expect, it } from "vitest";
import { serveDist } from "./serveDist";

const root = new URL("..", import.meta.url).pathname;

interface PageResult {
  error?: string;
  backend: string;
  train: number;
  test: number;
  runs: {
    method: string;
    accuracyBefore: number;
    accuracyAfter: number;
    firstLoss: number;
    lastLoss: number;
    steps: number;
  }[];
  interpolation: { label: string; loss: (number | null)[] }[];
}

describe("the fine-tune page in headless Chromium", () => {
  it("fine-tunes with SGD, SAM and SAM-ON on digits 5-9, draws both plots, and renders a screenshot", async () => {
    execFileSync(`${root}node_modules/.bin/tsx`, ["--conditions=@sam/source", "scripts/build.ts"], {
      cwd: root,
    });
    const server = await serveDist(`${root}dist`, 0);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1380, height: 640 });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      // cpu: deterministic and, for this small MLP, faster than WebGL on SwiftShader.
      await page.goto(`${server.url}?backend=cpu`);
      await page.waitForFunction(() => window.fineTuneResult !== undefined, undefined, { timeout: 240_000 });
      const result = (await page.evaluate(() => window.fineTuneResult)) as PageResult;
      // the README's screenshot is rewritten on request only (SAVE_SCREENSHOT=1), so a test
      // run leaves the checkout as it was; the page is still captured, to prove it renders
      const png = await page.screenshot(process.env.SAVE_SCREENSHOT ? { path: `${root}screenshot.png` } : {});
      expect(png.length).toBeGreaterThan(10_000);
      expect(result.error).toBeUndefined();
      expect(errors).toEqual([]);
      expect(result.backend).toBe("cpu");
      expect([result.train, result.test]).toEqual([800, 200]);
      expect(result.runs.map((r) => r.method)).toEqual(["SGD", "SAM", "SAM-ON"]);
      for (const r of result.runs) {
        expect(r.steps).toBe(3 * 25); // 3 epochs of ceil(800 / 32) batches
        // A fresh head on a pretrained body: chance (0.2) before, well above after.
        expect(r.accuracyBefore).toBeLessThan(0.45);
        expect(r.accuracyAfter).toBeGreaterThan(0.85);
        expect(r.lastLoss).toBeLessThan(r.firstLoss);
      }
      // The three methods really differ (SAM's ascent step changes the trajectory).
      expect(new Set(result.runs.map((r) => r.lastLoss.toFixed(6))).size).toBe(3);
      expect(result.interpolation.map((c) => c.label)).toEqual(["all", "layer1", "layer2", "head"]);
      const all = result.interpolation[0]!.loss as number[];
      expect(all[4]!).toBeLessThan(all[0]!); // fine-tuned beats pretrained-with-fresh-head on the test digits
      const svgs = await page.locator("#losses svg, #interpolation svg").count();
      expect(svgs).toBe(2);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);
});

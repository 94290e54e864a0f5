/**
 * `pnpm check:webgpu`: one command for a machine with a GPU. Opens the system Chromium with
 * WebGPU enabled (Vulkan), selects the `webgpu` backend through `setupWebGpu`, runs STEPS SAM
 * steps of a seeded MLP there and on cpu from the same initial weights, and prints ONE JSON line:
 * `{ adapter, backend, steps, maxLossDiff, lastLoss, error? }`. `--fallback` asks for the software
 * adapter (SwiftShader), for machines without a GPU. Exit code 1 when webgpu did not run.
 */
import { launchChromium } from "./chromium";
import type { GpuCheck } from "./page";
import { bundlePage, openSuitePage } from "./suitePage";

const fallback = process.argv.includes("--fallback");
const steps = Number(process.env.STEPS ?? 20);
// Hardware: Vulkan, no --disable-gpu. Fallback: Chromium's SwiftShader adapter.
const flags = fallback
  ? ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"]
  : ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-angle=vulkan", "--ignore-gpu-blocklist"];
const browser = await launchChromium(flags, { gpu: !fallback });
let result: GpuCheck;
try {
  const page = await browser.context.newPage();
  await openSuitePage(page, await bundlePage());
  result = await page.evaluate(([n, f]) => window.samSuite.gpuCheck(n, f), [steps, fallback] as const);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exitCode = result.backend === "webgpu" && result.steps === steps ? 0 : 1;

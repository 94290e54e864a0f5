/**
 * The page's script (bundled by esbuild with TensorFlow.js): `window.samSuite.run(backend)` sets
 * the backend and runs every scenario. `webgpu` goes through `setupWebGpu` with the fallback
 * (software) adapter; `wasm` gets @sam/backend's training kernels (its compiled convolutions run
 * in the page as they do in Node).
 */
import "@tensorflow/tfjs-backend-webgpu";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerTrainingGradients, registerWasmTrainingKernels } from "@sam/backend";
// By path until @sam/backend's main entry bundles for the browser (the `backend` branch).
import { setupWebGpu, type WebGpuInfo } from "../../../packages/backend/src/setupWebGpu";
// Internal, by path: whether the compiled convolution module instantiated on the page's heap.
import { convKernelModuleFor } from "../../../packages/backend/src/internal/convKernels";
import { runScenarios, type ScenarioResult, samSteps } from "./scenarios";

declare global {
  interface Window {
    samSuite: {
      run(backend: string): Promise<{
        backend: string;
        adapter?: WebGpuInfo;
        compiledKernels?: boolean;
        results: ScenarioResult[];
      }>;
      gpuCheck(steps: number, fallback: boolean): Promise<GpuCheck>;
    };
  }
}

/** The outcome of `pnpm check:webgpu`. */
export interface GpuCheck {
  adapter: WebGpuInfo | null;
  backend: string;
  steps: number;
  maxLossDiff: number | null;
  lastLoss: { cpu: number; webgpu: number | null };
  error?: string;
}

window.samSuite = {
  async gpuCheck(steps: number, fallback: boolean): Promise<GpuCheck> {
    await tf.setBackend("cpu");
    const cpu = await samSteps(steps);
    try {
      const adapter = await setupWebGpu(fallback ? { forceFallbackAdapter: true } : {});
      const gpu = await samSteps(steps);
      return {
        adapter,
        backend: tf.getBackend(),
        steps: gpu.length,
        maxLossDiff: gpu.reduce((m, v, i) => Math.max(m, Math.abs(v - cpu[i]!)), 0),
        lastLoss: { cpu: cpu[steps - 1]!, webgpu: gpu[steps - 1]! },
      };
    } catch (e) {
      return {
        adapter: null,
        backend: tf.getBackend(),
        steps: 0,
        maxLossDiff: null,
        lastLoss: { cpu: cpu[steps - 1]!, webgpu: null },
        error: (e as Error).message,
      };
    }
  },
  async run(backend: string) {
    let adapter: WebGpuInfo | undefined;
    if (backend === "webgpu") adapter = await setupWebGpu({ forceFallbackAdapter: true });
    else if (backend === "wasm") {
      // tfjs-backend-wasm's SIMD build (the page is not cross-origin isolated: no threads) with
      // @sam/backend's training kernels, the compiled convolution kernels among them
      setWasmPaths(`${location.origin}/wasm/`);
      if (!(await tf.setBackend("wasm"))) throw new Error("backend wasm did not initialise");
      registerWasmTrainingKernels();
      registerTrainingGradients();
    } else if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);
    await tf.ready();
    return {
      backend: tf.getBackend(),
      adapter,
      ...(backend === "wasm" ? { compiledKernels: convKernelModuleFor(tf.backend()) !== undefined } : {}),
      results: await runScenarios({ asyncReadsOnly: backend === "webgpu" }),
    };
  },
};

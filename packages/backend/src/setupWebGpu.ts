import * as tf from "@tensorflow/tfjs-core";
import { loadOptional } from "./internal/loadOptional";

/**
 * OPT-IN, experimental: makes the `webgpu` backend usable in Node through Dawn (the `webgpu`
 * package) and `@tensorflow/tfjs-backend-webgpu`, then selects it. Both packages are optional
 * peers; nothing here runs unless called.
 *
 * Steps: install Dawn's `globals` (GPUBufferUsage, ...) on `globalThis`, define `navigator.gpu`
 * (Node 20 has no navigator), *then* import tfjs-backend-webgpu (it registers the backend only
 * if `navigator.gpu` exists at import time), request an adapter, and `tf.setBackend("webgpu")`.
 * Throws with the reason when a step fails (missing package, no adapter: a GPU host needs
 * `libvulkan1` and the driver's Vulkan ICD).
 *
 * @example
 * ```ts
 * await setupWebGpu();  // tf.getBackend() === "webgpu"
 * ```
 */
export async function setupWebGpu(): Promise<void> {
  const dawn = await loadOptional<{ create(options: string[]): unknown; globals: Record<string, unknown> }>(
    "webgpu",
  );
  if (!dawn.ok) {
    throw new Error(
      `setupWebGpu: the optional package 'webgpu' (Dawn for Node) cannot be loaded (${dawn.reason}); install it: pnpm add webgpu.`,
    );
  }
  const g = globalThis as unknown as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } };
  Object.assign(globalThis, dawn.module.globals);
  g.navigator ??= {};
  if (g.navigator.gpu == null) {
    Object.defineProperty(g.navigator, "gpu", { value: dawn.module.create([]), configurable: true });
  }
  const adapter = await g.navigator.gpu!.requestAdapter();
  if (adapter == null) {
    throw new Error(
      "setupWebGpu: Dawn found no GPU adapter; install libvulkan1 and the GPU driver's Vulkan ICD " +
        "(e.g. the NVIDIA driver's nvidia_icd.json), or use setupBackend() without 'webgpu'.",
    );
  }
  const backend = await loadOptional("@tensorflow/tfjs-backend-webgpu");
  if (!backend.ok) {
    throw new Error(
      `setupWebGpu: '@tensorflow/tfjs-backend-webgpu' cannot be loaded (${backend.reason}); install it: pnpm add @tensorflow/tfjs-backend-webgpu.`,
    );
  }
  if (!(await tf.setBackend("webgpu"))) {
    throw new Error(
      "setupWebGpu: tf.setBackend('webgpu') failed to initialise; see the warning tfjs printed above.",
    );
  }
}

import * as tf from "@tensorflow/tfjs-core";
import { loadOptional } from "./internal/loadOptional";

/** Options of {@link setupWebGpu}: merged into every `navigator.gpu.requestAdapter` call. */
export interface SetupWebGpuOptions {
  /**
   * Ask for the fallback (software) adapter: SwiftShader in Chromium, lavapipe or SwiftShader
   * through Dawn. For CI machines without a GPU. Default: whatever the platform offers first.
   */
  readonly forceFallbackAdapter?: boolean;
  /** `"high-performance"` (tfjs' choice) or `"low-power"`. */
  readonly powerPreference?: "high-performance" | "low-power";
}

/** What {@link setupWebGpu} found. */
export interface WebGpuInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** True for a software adapter (SwiftShader, lavapipe). */
  readonly isFallbackAdapter: boolean;
}

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  requestDevice(descriptor?: { requiredFeatures?: unknown[] }): Promise<unknown>;
}
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapterLike | null>;
}

/** Marks a `navigator.gpu` whose `requestAdapter` this module already wrapped. */
const WRAPPED = Symbol.for("@sam/backend.webgpu.wrapped");

/**
 * Works around two tfjs-backend-webgpu 4.22 pitfalls and applies `options`, by wrapping
 * `gpu.requestAdapter` (tfjs calls it itself, with only `powerPreference`):
 * - the adapter options are merged in, so `forceFallbackAdapter` reaches tfjs' own request;
 * - tfjs pushes `['bgra8unorm-storage']` (a nested array) into `requiredFeatures`; Chromium's
 *   WebIDL conversion happens to stringify it, Dawn for Node rejects it. `requestDevice` gets the
 *   list flattened, keeping only the features the adapter has.
 */
function wrapRequestAdapter(gpu: GpuLike, options: SetupWebGpuOptions): void {
  const tagged = gpu as GpuLike & { [WRAPPED]?: { original: GpuLike["requestAdapter"] } };
  const original = tagged[WRAPPED]?.original ?? gpu.requestAdapter.bind(gpu);
  const wrapped = async (requested: Record<string, unknown> = {}) => {
    const adapter = await original({ ...requested, ...options });
    if (adapter == null) return adapter;
    const requestDevice = adapter.requestDevice.bind(adapter);
    adapter.requestDevice = (descriptor = {}) => {
      const features = (descriptor.requiredFeatures ?? [])
        .flat(2)
        .filter((f) => adapter.features.has(String(f)));
      return requestDevice({ ...descriptor, requiredFeatures: features });
    };
    return adapter;
  };
  Object.defineProperty(gpu, "requestAdapter", { value: wrapped, configurable: true, writable: true });
  Object.defineProperty(gpu, WRAPPED, { value: { original }, configurable: true });
}

/**
 * OPT-IN, experimental: selects TensorFlow.js' `webgpu` backend, in a browser (`navigator.gpu`)
 * or in Node through Dawn (the `webgpu` package). `@tensorflow/tfjs-backend-webgpu` (and, in Node,
 * `webgpu`) are optional peers; nothing here runs unless called.
 *
 * Steps: in Node, install Dawn's `globals` (GPUBufferUsage, ...) and define `navigator.gpu`
 * (Node 20 has no navigator) *before* tfjs-backend-webgpu is imported (it registers the backend
 * only if `navigator.gpu` exists then); wrap `requestAdapter` (see the pitfalls below); request
 * an adapter; import tfjs-backend-webgpu unless the page already did (bundlers cannot follow the
 * optional import: in a browser bundle, `import "@tensorflow/tfjs-backend-webgpu"` first); then
 * `tf.setBackend("webgpu")`. Throws with the reason when a step fails.
 *
 * Pitfalls handled (tfjs-backend-webgpu 4.22): its `requiredFeatures` holds a nested array
 * (flattened here); adapter options cannot be passed to it (merged here). Not handled, by
 * design: webgpu has no synchronous reads of GPU data (`dataSync()`, `arraySync()` throw or
 * stall), so read with `await t.data()`.
 *
 * @param options - See {@link SetupWebGpuOptions}.
 * @returns The adapter's vendor, architecture, description and whether it is a fallback.
 *
 * @example
 * ```ts
 * const info = await setupWebGpu({ forceFallbackAdapter: true }); // tf.getBackend() === "webgpu"
 * console.log(info.architecture); // e.g. "swiftshader"
 * ```
 */
export async function setupWebGpu(options: SetupWebGpuOptions = {}): Promise<WebGpuInfo> {
  const g = globalThis as unknown as { navigator?: { gpu?: GpuLike } };
  if (g.navigator?.gpu == null) {
    const dawn = await loadOptional<{ create(options: string[]): unknown; globals: Record<string, unknown> }>(
      "webgpu",
    );
    if (!dawn.ok) {
      throw new Error(
        `setupWebGpu: no navigator.gpu here and the optional package 'webgpu' (Dawn for Node) cannot be loaded (${dawn.reason}); install it: pnpm add webgpu. In a browser, WebGPU needs a secure context (https or localhost) and, on Linux Chromium, --enable-unsafe-webgpu.`,
      );
    }
    Object.assign(globalThis, dawn.module.globals);
    g.navigator ??= {};
    Object.defineProperty(g.navigator, "gpu", { value: dawn.module.create([]), configurable: true });
  }
  const gpu = g.navigator!.gpu!;
  wrapRequestAdapter(gpu, options);
  const adapter = await gpu.requestAdapter();
  if (adapter == null) {
    throw new Error(
      `setupWebGpu: requestAdapter(${JSON.stringify(options)}) returned no adapter. In Node: install libvulkan1 ` +
        "and a Vulkan ICD (the GPU driver's, or mesa-vulkan-drivers for lavapipe). In Chromium: pass " +
        "--enable-unsafe-webgpu (and --use-webgpu-adapter=swiftshader for the software adapter). Or use setupBackend().",
    );
  }
  if (tf.findBackendFactory("webgpu") == null) {
    const backend = await loadOptional("@tensorflow/tfjs-backend-webgpu");
    if (!backend.ok || tf.findBackendFactory("webgpu") == null) {
      throw new Error(
        `setupWebGpu: '@tensorflow/tfjs-backend-webgpu' cannot be loaded (${backend.ok ? "it did not register 'webgpu'" : backend.reason}); install it (pnpm add @tensorflow/tfjs-backend-webgpu), and in a browser bundle import it before calling setupWebGpu.`,
      );
    }
  }
  if (!(await tf.setBackend("webgpu"))) {
    throw new Error(
      "setupWebGpu: tf.setBackend('webgpu') failed to initialise; see the warning tfjs printed above.",
    );
  }
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    description: info.description ?? "",
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { setConvKernelHelperFactory } from "../internal/convKernels";
import { loadOptional } from "../internal/loadOptional";
import { createConvKernelWorker } from "./convKernelWorker";

/** Options of {@link initWasmWithThreads}. */
export interface WasmThreadsOptions {
  /**
   * Threads of tfjs-wasm's own pool (XNNPACK's operators). Default 1: this package's compiled
   * kernels (convolutions, matrix products, exp/erf/rsqrt), which do most of a training step's
   * work, split with their own helper thread, and the pool's per-operator hand-offs to its
   * workers cost more than they gain on the rest (a small-ViT step here: 166-182 ms with a pool
   * of 2, 150-161 ms with 1; ResNet-20 and WRN-16-4 within noise). At most `numThreads`.
   */
  poolThreads?: number;
}

/** Result of {@link initWasmWithThreads}. */
export interface WasmThreadsResult {
  /**
   * Threads the compiled kernels use: `numThreads` when the threaded build started (the caller's
   * plus a helper), 1 when the shim could not apply.
   */
  threads: number;
  /** Threads of tfjs-wasm's own pool, as the backend reports them. */
  poolThreads: number;
  /** Directory of the generated main and worker scripts. */
  scriptDir: string;
}

const MAIN_PRELUDE =
  "var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks')," +
  "require$$4=require('os'),commonjsGlobal=globalThis;\n";

/**
 * EXPERIMENTAL: initialises the `wasm` backend with the multi-threaded SIMD build in Node, which
 * stock tfjs refuses (tfjs#3830: `WASM_HAS_MULTITHREAD_SUPPORT` is false under Node, and the
 * emscripten pthread pool loads its scripts from `blob:` URLs that Node workers cannot open).
 *
 * How: (1) `globalThis.Blob` is subclassed to remember string contents and
 * `URL.createObjectURL` is wrapped: the pthread worker script and the module factory are written
 * to files under the OS temp directory and their paths returned instead of `blob:` URLs (the
 * worker gets a one-line prelude so that it loads the factory from its file); (2) the flag is set
 * and `setThreadsCount(n)` called; (3) `os.cpus()` reports at least 2n cores while the backend
 * starts, because the C++ side caps threads at half the logical cores; (4) the pool's workers are
 * `unref`'d so the process can exit. The `Blob`/`URL` patches stay installed (the pool may add
 * workers later); `os.cpus` is restored. (5) With 2 threads or more, this package's compiled
 * kernels get a second thread of their own (a `worker_threads` worker on the same shared memory,
 * see `createConvKernelWorker`), made at its first use; tfjs-wasm's own pool gets
 * `options.poolThreads` (default 1, see {@link WasmThreadsOptions.poolThreads}).
 *
 * Must run before the wasm backend is first initialised in this process. Measured on a 2-core
 * machine: ResNet-20 and the small ViT ~1.2x faster with 2 threads (see the README).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-wasm";
 * import { initWasmWithThreads } from "@sam/backend/node";
 * const { threads } = await initWasmWithThreads(2);  // then tf.getBackend() === "wasm"
 * ```
 */
export async function initWasmWithThreads(
  numThreads: number,
  options: WasmThreadsOptions = {},
): Promise<WasmThreadsResult> {
  if (!Number.isInteger(numThreads) || numThreads < 1) {
    throw new Error(
      `initWasmWithThreads: numThreads must be a positive integer, got ${numThreads}; pass e.g. 2.`,
    );
  }
  const poolThreads = options.poolThreads ?? 1;
  if (!Number.isInteger(poolThreads) || poolThreads < 1 || poolThreads > numThreads) {
    throw new Error(
      `initWasmWithThreads: options.poolThreads must be an integer from 1 to numThreads (${numThreads}), ` +
        `got ${poolThreads}; leave it out for 1.`,
    );
  }
  const loaded = await loadOptional<{ setThreadsCount(n: number): void; getThreadsCount(): number }>(
    "@tensorflow/tfjs-backend-wasm",
  );
  if (!loaded.ok) {
    throw new Error(
      `initWasmWithThreads: '@tensorflow/tfjs-backend-wasm' cannot be loaded (${loaded.reason}); install it.`,
    );
  }
  const wasmModule = loaded.module;
  if (tf.findBackend("wasm") != null) {
    throw new Error(
      "initWasmWithThreads: the wasm backend is already initialised in this process; call initWasmWithThreads " +
        "before any tf.setBackend('wasm') / tf.ready() (or run it in a fresh process).",
    );
  }
  // Node built-ins are loaded lazily, so browser bundles of this package never see them.
  const { writeFileSync, mkdtempSync } = await import("node:fs");
  const { join } = await import("node:path");
  const os = (await import("node:os")).default;
  const scriptDir = mkdtempSync(join(os.tmpdir(), "sam-wasm-threads-"));
  const mainPath = join(scriptDir, "tfjs-backend-wasm-threaded-simd.main.cjs");
  installBlobShim(scriptDir, mainPath, writeFileSync, join);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasmModule.setThreadsCount(poolThreads);
  const originalCpus = os.cpus;
  const cores = Math.max(originalCpus().length, 2 * poolThreads);
  os.cpus = () => {
    const list = originalCpus();
    while (list.length < cores) list.push(list[0]!);
    return list;
  };
  try {
    await tf.setBackend("wasm");
  } finally {
    os.cpus = originalCpus;
  }
  const pthread = (
    tf.backend() as unknown as {
      wasm?: { PThread?: { unusedWorkers?: { unref?(): void }[]; runningWorkers?: { unref?(): void }[] } };
    }
  ).wasm?.PThread;
  for (const w of [...(pthread?.unusedWorkers ?? []), ...(pthread?.runningWorkers ?? [])]) w.unref?.();
  const shared =
    typeof SharedArrayBuffer !== "undefined" &&
    (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer instanceof
      SharedArrayBuffer;
  // The compiled kernels split their work over this thread and one worker on the shared memory.
  const threads = shared ? numThreads : 1;
  if (threads > 1) setConvKernelHelperFactory(createConvKernelWorker);
  return { threads, poolThreads: wasmModule.getThreadsCount(), scriptDir };
}

const SHIM = Symbol.for("@sam/backend/blobShim");

function installBlobShim(
  scriptDir: string,
  mainPath: string,
  writeFileSync: (path: string, text: string) => void,
  join: (...parts: string[]) => string,
): void {
  const g = globalThis as unknown as Record<symbol, boolean> & { Blob: typeof Blob; URL: typeof URL };
  if (g[SHIM]) return;
  g[SHIM] = true;
  const NativeBlob = g.Blob;
  const texts = new WeakMap<Blob, string>();
  class RememberingBlob extends NativeBlob {
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args);
      const parts = args[0] as unknown[] | undefined;
      if (!parts?.every((p) => typeof p === "string")) return;
      const text = (parts as string[]).join("");
      texts.set(this, text);
      // The factory blob is never turned into a URL on this thread: workers load it by path.
      if (text.startsWith("var WasmBackendModuleThreadedSimd")) writeFileSync(mainPath, MAIN_PRELUDE + text);
    }
  }
  g.Blob = RememberingBlob as typeof Blob;
  const nativeCreate = g.URL.createObjectURL.bind(g.URL);
  let workers = 0;
  g.URL.createObjectURL = (obj: Blob) => {
    const text = texts.get(obj);
    if (text == null) return nativeCreate(obj);
    if (text.startsWith("var WasmBackendModuleThreadedSimd")) return mainPath;
    const workerPath = join(scriptDir, `pthread-worker-${workers++}.cjs`);
    writeFileSync(workerPath, `URL.createObjectURL=()=>${JSON.stringify(mainPath)};\n${text}`);
    return workerPath;
  };
}

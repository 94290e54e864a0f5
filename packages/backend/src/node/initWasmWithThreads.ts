import * as tf from "@tensorflow/tfjs-core";
import { setConvKernelHelperFactory } from "../internal/convKernels";
import { loadOptional } from "../internal/loadOptional";
import { createConvKernelWorker } from "./convKernelWorker";

/** Result of {@link initWasmWithThreads}. */
export interface WasmThreadsResult {
  /** Threads the wasm backend reports after initialisation (1 when the shim could not apply). */
  threads: number;
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
 * workers later); `os.cpus` is restored. (5) With 2 threads or more, the filter gradient's
 * compiled kernel gets a second thread of its own (a `worker_threads` worker on the same shared
 * memory, see `createConvKernelWorker`), made at its first use.
 *
 * Must run before the wasm backend is first initialised in this process. Measured on a 2-core
 * machine: matmul 1.9x faster with 2 threads, whole training steps barely (see the README).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-wasm";
 * import { initWasmWithThreads } from "@sam/backend/node";
 * const { threads } = await initWasmWithThreads(2);  // then tf.getBackend() === "wasm"
 * ```
 */
export async function initWasmWithThreads(numThreads: number): Promise<WasmThreadsResult> {
  if (!Number.isInteger(numThreads) || numThreads < 1) {
    throw new Error(
      `initWasmWithThreads: numThreads must be a positive integer, got ${numThreads}; pass e.g. 2.`,
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
  wasmModule.setThreadsCount(numThreads);
  const originalCpus = os.cpus;
  const cores = Math.max(originalCpus().length, 2 * numThreads);
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
  const threads = wasmModule.getThreadsCount();
  // The filter gradient (compiled kernel) splits its images over this thread and one worker.
  if (threads > 1) setConvKernelHelperFactory(createConvKernelWorker);
  return { threads, scriptDir };
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

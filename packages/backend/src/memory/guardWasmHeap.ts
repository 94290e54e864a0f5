import * as tf from "@tensorflow/tfjs-core";
import { WasmOutOfMemoryError } from "./wasmOutOfMemoryError";

/** The largest wasm32 heap tfjs-backend-wasm 4.22 can grow to (its emscripten `getHeapMax()`). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/** Options of {@link guardWasmHeap}. */
export interface GuardWasmHeapOptions {
  /**
   * Refuse allocations that would end above this many bytes of the heap (default
   * {@link WASM_HEAP_MAX_BYTES}); a smaller value emulates a smaller device (or a test's small heap).
   */
  limitBytes?: number;
  /**
   * Bytes kept free below the limit for the module's own small allocations (XNNPACK operators,
   * its tensor registry), whose failure would abort the module. Default 32 MiB.
   */
  reserveBytes?: number;
}

/** What {@link wasmHeapStats} reports, in bytes. */
export interface WasmHeapStats {
  /** The wasm memory's size now (it never shrinks: the high-water mark of the process). */
  heapBytes: number;
  /** The limit in force ({@link GuardWasmHeapOptions.limitBytes}). */
  limitBytes: number;
  /** Bytes the backend has allocated now (tensors and kernel temporaries), and the most at once. */
  liveBytes: number;
  peakLiveBytes: number;
}

interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  onAbort?: (what: unknown) => void;
  asm?: { memory?: { buffer: ArrayBufferLike } };
  wasmMemory?: { buffer: ArrayBufferLike };
  HEAPU8?: Uint8Array;
}
interface GuardableBackend {
  wasm: WasmModule;
  move(dataId: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
}

interface Guard {
  limit: number;
  reserve: number;
  live: number;
  peak: number;
  sizes: Map<number, number>;
  shape: readonly number[] | undefined;
}

const guards = new WeakMap<object, Guard>();

function heapBytes(module: WasmModule): number {
  const memory = module.asm?.memory ?? module.wasmMemory;
  return memory?.buffer.byteLength ?? module.HEAPU8?.length ?? 0;
}

/**
 * Frees the tensors the gradient tape saved for the backward pass. tfjs-core 4.22 frees them at
 * the end of a successful backward pass only: after an error thrown in a step they would stay
 * allocated for good (the activations of the whole step), and a retry with a smaller batch would
 * start on a full heap. The error ends the step, so nothing will read them.
 */
function releaseTape(): void {
  const state = (tf.engine() as unknown as { state: { activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
  for (const node of state.activeTape ?? []) {
    for (const t of node.saved ?? []) t.dispose();
    node.saved = [];
  }
}

function outOfMemory(
  module: WasmModule,
  g: Guard,
  requestedBytes: number,
  abort?: string,
): WasmOutOfMemoryError {
  const error = new WasmOutOfMemoryError(details(module, g, requestedBytes, abort));
  releaseTape();
  return error;
}

function details(module: WasmModule, g: Guard, requestedBytes: number, abort?: string) {
  return {
    requestedBytes,
    ...(g.shape ? { shape: g.shape } : {}),
    heapBytes: heapBytes(module),
    heapLimitBytes: g.limit,
    liveBytes: g.live,
    peakLiveBytes: g.peak,
    ...(abort !== undefined ? { abort } : {}),
  };
}

/**
 * Makes running out of wasm memory a {@link WasmOutOfMemoryError} instead of a crash, and counts
 * the bytes the backend allocates (for {@link wasmHeapStats}). Idempotent per backend; a second
 * call updates the options. `setupBackend` and every kernel of this package call it.
 *
 * tfjs-backend-wasm allocates every tensor with the module's `_malloc`, which returns 0 when the
 * heap cannot grow (the 4 GiB wasm32 limit); the backend then registers the tensor at address 0
 * and the next kernel fails with `memory access out of bounds`, or the module's own code runs out
 * and calls `abort()` (`RuntimeError: Aborted()`). The guard wraps `_malloc` and refuses an
 * allocation that fails or would end within `reserveBytes` of the limit (so the module keeps room
 * for its own), before anything is registered; the tensor's shape comes from the backend's `move`.
 * An abort while the heap is within 256 MiB of the limit is reported as the same error. Either
 * way the tensors the gradient tape saved are freed (tfjs-core frees them only after a backward
 * pass that succeeds), so a retry with a smaller batch starts from the heap it had before.
 *
 * @example
 * ```ts
 * await tf.setBackend("wasm");
 * guardWasmHeap(tf.backend(), { limitBytes: 2 ** 31 }); // behave as if the heap stopped at 2 GiB
 * ```
 */
export function guardWasmHeap(backend: unknown, options: GuardWasmHeapOptions = {}): boolean {
  const be = backend as Partial<GuardableBackend>;
  const module = be?.wasm;
  if (!module || typeof module._malloc !== "function" || typeof be.move !== "function") return false;
  const existing = guards.get(module);
  if (existing) {
    if (options.limitBytes !== undefined) existing.limit = options.limitBytes;
    if (options.reserveBytes !== undefined) existing.reserve = options.reserveBytes;
    return true;
  }
  const g: Guard = {
    limit: options.limitBytes ?? WASM_HEAP_MAX_BYTES,
    reserve: options.reserveBytes ?? 32 * 2 ** 20,
    live: 0,
    peak: 0,
    sizes: new Map(),
    shape: undefined,
  };
  guards.set(module, g);
  // emscripten binds `_malloc`/`_free` lazily: the first call replaces the property with the raw
  // export. Call them once, then keep the wrappers in place with accessors.
  module._free(module._malloc(8));
  let malloc = module._malloc;
  let free = module._free;
  const guardedMalloc = (bytes: number) => {
    const p = malloc(bytes) >>> 0;
    if (bytes > 0 && (p === 0 || p + bytes > g.limit - g.reserve)) {
      if (p !== 0) free(p);
      throw outOfMemory(module, g, bytes);
    }
    g.sizes.set(p, bytes);
    g.live += bytes;
    if (g.live > g.peak) g.peak = g.live;
    return p;
  };
  const guardedFree = (pointer: number) => {
    const bytes = g.sizes.get(pointer >>> 0);
    if (bytes !== undefined) {
      g.live -= bytes;
      g.sizes.delete(pointer >>> 0);
    }
    free(pointer);
  };
  Object.defineProperty(module, "_malloc", {
    configurable: true,
    get: () => guardedMalloc,
    set: (f: (bytes: number) => number) => {
      malloc = f;
    },
  });
  Object.defineProperty(module, "_free", {
    configurable: true,
    get: () => guardedFree,
    set: (f: (pointer: number) => void) => {
      free = f;
    },
  });
  const move = be.move.bind(be);
  be.move = (dataId, values, shape, dtype, refCount) => {
    g.shape = shape;
    try {
      move(dataId, values, shape, dtype, refCount);
    } finally {
      g.shape = undefined;
    }
  };
  const onAbort = module.onAbort;
  module.onAbort = (what: unknown) => {
    onAbort?.(what);
    if (heapBytes(module) > g.limit - 256 * 2 ** 20) throw outOfMemory(module, g, 0, String(what ?? ""));
  };
  return true;
}

/**
 * The wasm heap's size and the bytes allocated through a guarded backend ({@link guardWasmHeap};
 * guards it if it was not). `undefined` for a backend that is not wasm.
 *
 * @example
 * ```ts
 * const before = wasmHeapStats(tf.backend())!;
 * optimizer.minimize(lossFn);
 * console.log(`peak ${(wasmHeapStats(tf.backend())!.peakLiveBytes / 2 ** 20).toFixed(0)} MB`);
 * ```
 */
export function wasmHeapStats(backend: unknown): WasmHeapStats | undefined {
  if (!guardWasmHeap(backend)) return undefined;
  const module = (backend as GuardableBackend).wasm;
  const g = guards.get(module)!;
  return { heapBytes: heapBytes(module), limitBytes: g.limit, liveBytes: g.live, peakLiveBytes: g.peak };
}

/**
 * Starts a new peak: {@link WasmHeapStats.peakLiveBytes} becomes the bytes allocated now.
 *
 * @example
 * ```ts
 * resetWasmHeapPeak(tf.backend());
 * optimizer.minimize(lossFn);
 * wasmHeapStats(tf.backend())!.peakLiveBytes; // this step's peak
 * ```
 */
export function resetWasmHeapPeak(backend: unknown): void {
  if (!guardWasmHeap(backend)) return;
  const g = guards.get((backend as GuardableBackend).wasm)!;
  g.peak = g.live;
}

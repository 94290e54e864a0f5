import { ZIGGURAT_WASM } from "./zigguratWasm";
import { FN, KN, WN } from "./zigguratReference";

interface ZigguratExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  gaussianFill(out: number, size: number, seed: number, stddev: number): void;
  zigguratTables(): number;
  zigguratThresholds(): number;
  __heap_base: { value: number };
}

type WasmApi = {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/** The instance (once), or null where WebAssembly cannot run it. */
let instance: ZigguratExports | null | undefined;

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function load(): ZigguratExports | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wa) return null;
  try {
    const module = new wa.Module(fromBase64(ZIGGURAT_WASM.base64));
    // Math.log and Math.exp themselves, so the rare path rounds as the reference's does
    const exports = new wa.Instance(module, { env: { log: Math.log, exp: Math.exp } })
      .exports as ZigguratExports;
    const tables = new Float64Array(exports.memory.buffer, exports.zigguratTables(), 3 * 128);
    tables.set(KN, 0);
    tables.set(WN, 128);
    tables.set(FN, 256);
    // for an integer u: u < KN[i] exactly when u < ceil(KN[i]) (the compiled fast path's test)
    new Uint32Array(exports.memory.buffer, exports.zigguratThresholds(), 128).set(KN.map(Math.ceil));
    return exports;
  } catch {
    return null;
  }
}

/**
 * `gaussianArrayReference(size, seed, stddev)` by the compiled module (`kernels-c/ziggurat.c`),
 * drawn into the module's own memory (grown as needed) and returned as a view of it: valid only
 * until the next draw (copy it, or hand it to something that copies it at once). Undefined where
 * WebAssembly is unavailable (then the caller runs the reference).
 *
 * @example
 * ```ts
 * const view = compiledGaussianView(1000, 42, 1); // Float32Array over the module's memory, or undefined
 * ```
 */
export function compiledGaussianView(size: number, seed: number, stddev: number): Float32Array | undefined {
  if (instance === undefined) instance = load();
  if (!instance) return undefined;
  const out = (instance.__heap_base.value + 15) & ~15;
  const needed = out + 4 * size;
  const have = instance.memory.buffer.byteLength;
  if (needed > have) instance.memory.grow(Math.ceil((needed - have) / 65536));
  instance.gaussianFill(out, size, seed >>> 0, stddev);
  return new Float32Array(instance.memory.buffer, out, size);
}

/**
 * {@link compiledGaussianView} copied into a fresh array: the same numbers bit for bit as
 * `gaussianArrayReference`, or undefined where WebAssembly is unavailable.
 *
 * @example
 * ```ts
 * const draws = compiledGaussianArray(1000, 42, 1); // Float32Array, or undefined
 * ```
 */
export function compiledGaussianArray(size: number, seed: number, stddev: number): Float32Array | undefined {
  return compiledGaussianView(size, seed, stddev)?.slice();
}

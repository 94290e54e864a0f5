import type * as tf from "@tensorflow/tfjs-core";
import { guardWasmHeap } from "../memory/guardWasmHeap";
import { assembleModule, bump, bumpBy, forLoop, I32, V128, type WasmFunction, w } from "./wasmAssembler";

/**
 * Hand-assembled WebAssembly SIMD loops that work in place on the memory of tfjs-backend-wasm
 * (pointers are byte offsets into it, as `memoryOffset` of the backend's tensor data).
 *
 * Symbols: a row-major tensor x with last axis of length C is read as R = size/C rows of C
 * channels, x[r, c]; C4 = C/4 (C must be a multiple of 4 for the vector loops).
 */
export interface SimdKernels {
  /** acc[c] += sum_r x[r, c] for r < R, in float64 (acc: C doubles). Args: x, R, C4, acc. */
  chanSum(x: number, rows: number, c4: number, acc: number): void;
  /** out[r, c] = (x[r, c] - m[c]) * k[c] + b[c]. Args: x, out, R, C4, m, k, b (C floats each). */
  chanAffine(x: number, out: number, rows: number, c4: number, m: number, k: number, b: number): void;
  /**
   * out[c*dstStepC + p*dstStepP + q*4] = x[p*srcStepP + q*srcStepQ + c*4] for p < np, q < nq,
   * c < C (byte steps; scalar loop, any C). Args: src, srcStepP, srcStepQ, dst, dstStepP, np, nq, C, dstStepC.
   */
  gatherTap(
    src: number,
    srcStepP: number,
    srcStepQ: number,
    dst: number,
    dstStepP: number,
    np: number,
    nq: number,
    c: number,
    dstStepC: number,
  ): void;
  /** {@link SimdKernels.gatherTap} with the channel loop done 4 at a time (C4 = C/4 instead of C). */
  gatherTap4(
    src: number,
    srcStepP: number,
    srcStepQ: number,
    dst: number,
    dstStepP: number,
    np: number,
    nq: number,
    c4: number,
    dstStepC: number,
  ): void;
}

function chanSum(): WasmFunction {
  // params: 0 x, 1 rows, 2 c4, 3 acc; locals: 4 r, 5 c, 6 p, 7 a, 8 v (v128)
  const [x, rows, c4, acc, r, c, p, a, v] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const inner = [
    ...w.get(p),
    ...w.v128load(),
    ...w.set(v),
    ...w.get(a),
    ...w.get(a),
    ...w.v128load(0),
    ...w.get(v),
    ...w.f64x2promoteLow,
    ...w.f64x2add,
    ...w.v128store(0),
    ...w.get(a),
    ...w.get(a),
    ...w.v128load(16),
    ...w.get(v),
    ...w.get(v),
    ...w.swapHalves,
    ...w.f64x2promoteLow,
    ...w.f64x2add,
    ...w.v128store(16),
    ...bumpBy(p, 16),
    ...bumpBy(a, 32),
  ];
  return {
    name: "chanSum",
    params: 4,
    locals: [
      { type: I32, count: 4 },
      { type: V128, count: 1 },
    ],
    body: [
      ...w.get(x),
      ...w.set(p),
      ...forLoop(r, rows, [...w.get(acc), ...w.set(a), ...forLoop(c, c4, inner)]),
    ],
  };
}

function chanAffine(): WasmFunction {
  // params: 0 x, 1 out, 2 rows, 3 c4, 4 m, 5 k, 6 b; locals: 7 r, 8 c, 9 p, 10 q, 11 o
  const [x, out, rows, c4, m, k, b, r, c, p, q, o] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const vec = (base: number) => [...w.get(base), ...w.get(o), w.i32add, ...w.v128load()];
  const inner = [
    ...w.get(q),
    ...w.get(p),
    ...w.v128load(),
    ...vec(m),
    ...w.f32x4sub,
    ...vec(k),
    ...w.f32x4mul,
    ...vec(b),
    ...w.f32x4add,
    ...w.v128store(),
    ...bumpBy(p, 16),
    ...bumpBy(q, 16),
    ...bumpBy(o, 16),
  ];
  return {
    name: "chanAffine",
    params: 7,
    locals: [{ type: I32, count: 5 }],
    body: [
      ...w.get(x),
      ...w.set(p),
      ...w.get(out),
      ...w.set(q),
      ...forLoop(r, rows, [...w.i32(0), ...w.set(o), ...forLoop(c, c4, inner)]),
    ],
  };
}

function gatherTap(vector: boolean): WasmFunction {
  // params: 0 src, 1 srcStepP, 2 srcStepQ, 3 dst, 4 dstStepP, 5 np, 6 nq, 7 C (or C4), 8 dstStepC
  // locals: 9 p, 10 q, 11 c, 12 sp, 13 dp, 14 s, 15 d, 16 s2, 17 d2, 18 v (v128)
  // Loop order p, c, q: each store stream (one channel) is contiguous along q, and the source
  // row of one p (nq * srcStepQ bytes) stays in the L1 cache while the channels are written.
  const [src, srcStepP, srcStepQ, dst, dstStepP, np, nq, cn, dstStepC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [p, q, c, sp, dp, s, d, s2, d2, v] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const scalarQ = [
    ...w.get(d2),
    ...w.get(s2),
    ...w.f32load(),
    ...w.f32store(),
    ...bump(s2, srcStepQ),
    ...bumpBy(d2, 4),
  ];
  // Vector variant: 4 channels per step; lane l goes to channel row l (d2 + l * dstStepC).
  const lanesQ: number[] = [...w.get(s2), ...w.v128load(), ...w.set(v)];
  for (let lane = 0; lane < 4; lane++) {
    lanesQ.push(...w.get(d2));
    for (let t = 0; t < lane; t++) lanesQ.push(...w.get(dstStepC), w.i32add);
    lanesQ.push(...w.get(v), 0xfd, 0x1f, lane, ...w.f32store());
  }
  lanesQ.push(...bump(s2, srcStepQ), ...bumpBy(d2, 4));
  const perC = [
    ...w.get(s),
    ...w.set(s2),
    ...w.get(d),
    ...w.set(d2),
    ...forLoop(q, nq, vector ? lanesQ : scalarQ),
    ...bumpBy(s, vector ? 16 : 4),
    ...bump(d, dstStepC),
    ...(vector ? [...bump(d, dstStepC), ...bump(d, dstStepC), ...bump(d, dstStepC)] : []),
  ];
  const perP = [
    ...w.get(sp),
    ...w.set(s),
    ...w.get(dp),
    ...w.set(d),
    ...forLoop(c, cn, perC),
    ...bump(sp, srcStepP),
    ...bump(dp, dstStepP),
  ];
  return {
    name: vector ? "gatherTap4" : "gatherTap",
    params: 9,
    locals: [
      { type: I32, count: 9 },
      { type: V128, count: 1 },
    ],
    body: [...w.get(src), ...w.set(sp), ...w.get(dst), ...w.set(dp), ...forLoop(p, np, perP)],
  };
}

/** A `WebAssembly.Memory` (typed locally: this package compiles without the DOM lib). */
export interface WasmMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
}
/** The `WebAssembly` global, typed locally (this package compiles without the DOM lib). */
export interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
/** The `WebAssembly` global with the {@link WasmApi} typing. */
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The part of the wasm backend these loops need: its emscripten module. */
interface WasmModuleHost {
  wasm: { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory; HEAPF32: Float32Array };
}

/**
 * The `WebAssembly.Memory` of tfjs-backend-wasm's emscripten module (shared when the threaded
 * build runs), or `undefined` when `backend` is not the wasm backend.
 *
 * @example
 * ```ts
 * const memory = wasmMemoryOf(tf.backend()); // WebAssembly.Memory | undefined
 * ```
 */
export function wasmMemoryOf(backend: unknown): WasmMemory | undefined {
  const host = (backend as WasmModuleHost).wasm;
  const memory = host?.asm?.memory ?? host?.wasmMemory;
  return memory instanceof WA.Memory ? memory : undefined;
}

const cache = new WeakMap<WasmMemory, SimdKernels>();
let bytes: { plain?: Uint8Array; shared?: Uint8Array } = {};

/**
 * The SIMD loops instantiated on `backend`'s memory (once per memory), or `undefined` when the
 * memory cannot be found (then callers fall back to tfjs's own kernels).
 *
 * @example
 * ```ts
 * const k = simdKernelsFor(backend);
 * k?.chanAffine(xPtr, outPtr, rows, C / 4, mPtr, kPtr, bPtr);
 * ```
 */
export function simdKernelsFor(backend: unknown): SimdKernels | undefined {
  const memory = wasmMemoryOf(backend);
  if (!memory) return undefined;
  let kernels = cache.get(memory);
  if (kernels) return kernels;
  guardWasmHeap(backend);
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const key = shared ? "shared" : "plain";
  bytes[key] ??= assembleModule([chanSum(), chanAffine(), gatherTap(false), gatherTap(true)], shared);
  const instance = new WA.Instance(new WA.Module(bytes[key]!), { env: { memory } });
  kernels = instance.exports as unknown as SimdKernels;
  cache.set(memory, kernels);
  return kernels;
}

/**
 * Drops the assembled module bytes, so the next {@link simdKernelsFor} assembles them again.
 *
 * @example
 * ```ts
 * resetSimdKernels();
 * ```
 */
export function resetSimdKernels(): void {
  bytes = {};
}

/**
 * Byte offset of a tensor's data in the wasm heap (what the loops above take as a pointer).
 *
 * @example
 * ```ts
 * const ptr = heapOffset(backend, x);
 * ```
 */
export function heapOffset(backend: unknown, info: tf.TensorInfo): number {
  const data = (backend as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(
    info.dataId,
  );
  return data.memoryOffset;
}

import type * as tf from "@tensorflow/tfjs-core";
import { guardWasmHeap } from "../memory/guardWasmHeap";
import { assembleModule, bump, bumpBy, forLoop, I32, V128, type WasmFunction, w } from "./wasmAssembler";

/** Signature of the batched products: a, bm, out, batch, M, K, N4, strideA, strideB (see below). */
export type MatMulBatched = (
  a: number,
  bm: number,
  out: number,
  batch: number,
  m: number,
  k: number,
  n4: number,
  strideA: number,
  strideB: number,
) => void;

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
  /**
   * out[b, i, :] = sum_k a[b, i, k] * bm[b, k, :] for b < batch, i < M, k < K, with N = 4*N4
   * columns; a is [batch, M, K] with `strideA` bytes between batches, bm [batch, K, N] with
   * `strideB`, out [batch, M, N] contiguous and zeroed by the caller. Args: a, bm, out, batch, M,
   * K, N4, strideA, strideB.
   */
  matMulBatched: MatMulBatched;
  /**
   * {@link SimdKernels.matMulBatched} for M a multiple of 4, four rows of out at a time with the
   * sums in registers (no zeroing needed): per k, one load of b[b, k, j:j+4] feeds four rows.
   */
  matMulBatched4: MatMulBatched;
}

function matMulBatched4(): WasmFunction {
  // params: 0 a, 1 bm, 2 out, 3 batch, 4 m, 5 k, 6 n4, 7 strideA, 8 strideB
  const [a, bm, out, batch, m, k, n4, strideA, strideB] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // i32 locals 9..26, v128 locals 27..31
  const [bb, ib, j, kk, aRow, oRow, p0, p1, p2, p3, r, bBase, aBase, rowBytes, k4, m4, oj, rj] = [
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
  ];
  const [vb, acc0, acc1, acc2, acc3] = [27, 28, 29, 30, 31];
  const ps = [p0, p1, p2, p3];
  const accs = [acc0, acc1, acc2, acc3];
  const perK: number[] = [...w.get(r), ...w.v128load(), ...w.set(vb)];
  for (let t = 0; t < 4; t++) {
    perK.push(
      ...w.get(accs[t]!),
      ...w.get(ps[t]!),
      ...w.v128load32Splat(),
      ...w.get(vb),
      ...w.f32x4mul,
      ...w.f32x4add,
      ...w.set(accs[t]!),
      ...bumpBy(ps[t]!, 4),
    );
  }
  perK.push(...bump(r, rowBytes));
  const perJ: number[] = [];
  for (const acc of accs) perJ.push(...w.v128zero, ...w.set(acc));
  perJ.push(
    ...w.get(aRow),
    ...w.set(p0),
    ...w.get(p0),
    ...w.get(k4),
    w.i32add,
    ...w.set(p1),
    ...w.get(p1),
    ...w.get(k4),
    w.i32add,
    ...w.set(p2),
    ...w.get(p2),
    ...w.get(k4),
    w.i32add,
    ...w.set(p3),
    ...w.get(rj),
    ...w.set(r),
    ...forLoop(kk, k, perK),
  );
  for (let t = 0; t < 4; t++) {
    // out[i + t, j] at oj + t * rowBytes
    perJ.push(...w.get(oj));
    for (let u = 0; u < t; u++) perJ.push(...w.get(rowBytes), w.i32add);
    perJ.push(...w.get(accs[t]!), ...w.v128store());
  }
  perJ.push(...bumpBy(oj, 16), ...bumpBy(rj, 16));
  const perIb = [
    ...w.get(oRow),
    ...w.set(oj),
    ...w.get(bBase),
    ...w.set(rj),
    ...forLoop(j, n4, perJ),
    // next four rows of a and out
    ...bump(aRow, k4),
    ...bump(aRow, k4),
    ...bump(aRow, k4),
    ...bump(aRow, k4),
    ...bump(oRow, rowBytes),
    ...bump(oRow, rowBytes),
    ...bump(oRow, rowBytes),
    ...bump(oRow, rowBytes),
  ];
  const perB = [
    ...w.get(aBase),
    ...w.set(aRow),
    ...forLoop(ib, m4, perIb),
    ...bump(aBase, strideA),
    ...bump(bBase, strideB),
  ];
  return {
    name: "matMulBatched4",
    params: 9,
    locals: [
      { type: I32, count: 18 },
      { type: V128, count: 5 },
    ],
    body: [
      ...w.get(n4),
      ...w.i32(16),
      w.i32mul,
      ...w.set(rowBytes),
      ...w.get(k),
      ...w.i32(4),
      w.i32mul,
      ...w.set(k4),
      ...w.get(m),
      ...w.i32(4),
      0x6e, // i32.div_u
      ...w.set(m4),
      ...w.get(a),
      ...w.set(aBase),
      ...w.get(bm),
      ...w.set(bBase),
      ...w.get(out),
      ...w.set(oRow),
      ...forLoop(bb, batch, perB),
    ],
  };
}

function matMulBatched(): WasmFunction {
  // params: 0 a, 1 bm, 2 out, 3 batch, 4 m, 5 k, 6 n4, 7 strideA, 8 strideB
  // locals: 9 bb, 10 i, 11 kk, 12 j, 13 pa, 14 pb, 15 po, 16 q, 17 r, 18 aBase, 19 bBase, 20 rowBytes, 21 av (v128)
  // Per (b, i, k): av = splat(a[b, i, k]); out row i += av * row k of bm, 4 columns a step (the
  // out row stays in L1 across k).
  const [a, bm, out, batch, m, k, n4, strideA, strideB] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [bb, i, kk, j, pa, pb, po, q, r, aBase, bBase, rowBytes, av] = [
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
  ];
  const perJ = [
    ...w.get(q),
    ...w.get(q),
    ...w.v128load(),
    ...w.get(av),
    ...w.get(r),
    ...w.v128load(),
    ...w.f32x4mul,
    ...w.f32x4add,
    ...w.v128store(),
    ...bumpBy(q, 16),
    ...bumpBy(r, 16),
  ];
  const perK = [
    ...w.get(pa),
    ...w.v128load32Splat(),
    ...w.set(av),
    ...w.get(po),
    ...w.set(q),
    ...w.get(pb),
    ...w.set(r),
    ...forLoop(j, n4, perJ),
    ...bumpBy(pa, 4),
    ...bump(pb, rowBytes),
  ];
  const perI = [...w.get(bBase), ...w.set(pb), ...forLoop(kk, k, perK), ...bump(po, rowBytes)];
  const perB = [
    ...w.get(aBase),
    ...w.set(pa),
    ...forLoop(i, m, perI),
    ...bump(aBase, strideA),
    ...bump(bBase, strideB),
  ];
  return {
    name: "matMulBatched",
    params: 9,
    locals: [
      { type: I32, count: 12 },
      { type: V128, count: 1 },
    ],
    body: [
      ...w.get(n4),
      ...w.i32(16),
      w.i32mul,
      ...w.set(rowBytes),
      ...w.get(a),
      ...w.set(aBase),
      ...w.get(bm),
      ...w.set(bBase),
      ...w.get(out),
      ...w.set(po),
      ...forLoop(bb, batch, perB),
    ],
  };
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
  bytes[key] ??= assembleModule(
    [chanSum(), chanAffine(), gatherTap(false), gatherTap(true), matMulBatched(), matMulBatched4()],
    shared,
  );
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

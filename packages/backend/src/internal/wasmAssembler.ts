/**
 * A minimal WebAssembly binary encoder: just enough to write small SIMD loops that run on the
 * memory of tfjs-backend-wasm (imported as `env.memory`), without a compiler toolchain.
 *
 * Every function takes only i32 parameters (byte pointers and counts) and returns nothing.
 * Bodies are arrays of bytes built with the opcode helpers of {@link w}.
 */

/** Value types of locals. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (code: number, ...rest: number[]) => [0xfd, ...uleb(code), ...rest];

/**
 * Opcode helpers (names as in the WebAssembly text format). Memory accesses take a byte offset.
 *
 * @example
 * ```ts
 * const body = [...w.get(0), ...w.get(1), w.i32add, ...w.set(2)];
 * ```
 */
export const w = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (k: number) => [0x41, ...sleb(k)],
  i32add: 0x6a,
  i32sub: 0x6b,
  i32mul: 0x6c,
  i32geU: 0x4f,
  f32load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  v128load: (offset = 0) => simd(0x00, 2, ...uleb(offset)),
  v128store: (offset = 0) => simd(0x0b, 2, ...uleb(offset)),
  /** i8x16.shuffle that swaps the two 64-bit halves (lanes 2,3 of an f32x4 move to 0,1). */
  swapHalves: simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
  /** v128.load32_splat: one f32 from memory into all four lanes. */
  v128load32Splat: (offset = 0) => simd(0x09, 2, ...uleb(offset)),
  /** v128.const with all 16 bytes zero. */
  v128zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  f32x4add: simd(0xe4),
  f32x4sub: simd(0xe5),
  f32x4mul: simd(0xe6),
  f64x2add: simd(0xf0),
  f64x2promoteLow: simd(0x5f),
  /** memory.fill (bulk memory): dst, value, length on the stack. */
  memoryFill: [0xfc, ...uleb(11), 0x00],
};

/**
 * `for (i = 0; i < n; i++) { body }` with i and n locals. The body may not branch out of it.
 *
 * @example
 * ```ts
 * const loop = forLoop(3, 1, [...w.get(3), ...w.set(4)]);
 * ```
 */
export function forLoop(i: number, n: number, body: number[]): number[] {
  return [
    ...w.i32(0),
    ...w.set(i),
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...w.get(i),
    ...w.get(n),
    w.i32geU,
    0x0d,
    1, // br_if 1 (leave the block)
    ...body,
    ...w.get(i),
    ...w.i32(1),
    w.i32add,
    ...w.set(i),
    0x0c,
    0, // br 0 (next iteration)
    0x0b,
    0x0b,
  ];
}

/** `local[p] += local[step]` (pointer increment). */
export function bump(p: number, step: number): number[] {
  return [...w.get(p), ...w.get(step), w.i32add, ...w.set(p)];
}

/** `local[p] += k` (pointer increment by a constant). */
export function bumpBy(p: number, k: number): number[] {
  return [...w.get(p), ...w.i32(k), w.i32add, ...w.set(p)];
}

/** One exported function: `params` i32 parameters, extra locals, and a body (without `end`). */
export interface WasmFunction {
  name: string;
  params: number;
  locals: { type: number; count: number }[];
  body: number[];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

/**
 * Encodes a module that imports `env.memory` (shared with a maximum of 65536 pages when
 * `shared`, as the threaded tfjs build needs) and exports `functions`.
 *
 * @example
 * ```ts
 * const bytes = assembleModule([{ name: "nop", params: 0, locals: [], body: [] }], false);
 * ```
 */
export function assembleModule(functions: WasmFunction[], shared: boolean): Uint8Array {
  const paramCounts = [...new Set(functions.map((f) => f.params))];
  const types = section(
    1,
    vec(paramCounts.map((n) => [0x60, ...uleb(n), ...new Array<number>(n).fill(I32), 0])),
  );
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]]));
  const funcs = section(3, vec(functions.map((f) => uleb(paramCounts.indexOf(f.params)))));
  const exports = section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const code = section(
    10,
    vec(
      functions.map((f) => {
        const body = [...vec(f.locals.map((l) => [...uleb(l.count), l.type])), ...f.body, 0x0b];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

import { CONV_KERNELS_WASM } from "./convKernelsWasm";
import { WA, type WasmMemory, wasmMemoryOf } from "./simdKernels";

/** Most i32 arguments of a {@link ConvKernels} function ({@link ConvKernels.filterGradient} and {@link ConvKernels.conv2d} have 19). */
export const CONV_KERNEL_ARGS = 19;

/**
 * The exports of the compiled kernels module (`kernels-c/convKernels.c`, `matMul.c`, `elementwise.c`), working in
 * place on tfjs-backend-wasm's memory (pointers are byte offsets into it).
 */
export interface ConvKernels {
  /**
   * dW (+)= sum over images b0 <= b < b1 of x[b, p*sh + i - pt, q*sw + j - pl, c] * dy[b, p, q, o]
   * (x = 0 outside the image), dW [KH, KW, C, O] zeroed first when `zero` is 1. Args: x, dy,
   * dW, b0, b1, H, W, C, OH, OW, O, KH, KW, sh, sw, pt, pl, rowsPerBlock, zero.
   */
  filterGradient(...args: number[]): void;
  /** out[k] += add[k] for k < n. Args: out, add, n. */
  addInto(out: number, add: number, n: number): void;
  /**
   * y = act(bias + conv(x, w)) over images b0 <= b < b1 (x [B, H, W, C], w [KH, KW, C, O] packed
   * by `packFilter(.., 0)`, y [B, OH, OW, O], O % 8 = 0, act the identity or ReLU). Args: x, w, y, b0, b1, H, W, C, OH, OW, O, KH, KW,
   * sh, sw, pt, pl, bias (pointer to O floats, or 0), relu (0 or 1).
   */
  conv2d(...args: number[]): void;
  /**
   * dx[b, h, w, c] = sum over the taps (i, j) that reach (h, w) from an output pixel (p, q) of
   * sum_o dy[b, p, q, o] * W[i, j, c, o], images b0 <= b < b1 (dy [B, OH, OW, O], W packed by
   * `packFilter(.., 1)`, dx [B, H, W, C], C % 8 = 0). Args: dy, packed W, dx, b0, b1, H, W, C, OH, OW, O, KH, KW, sh, sw,
   * pt, pl.
   */
  conv2dBackpropInput(...args: number[]): void;
  /**
   * Packs a filter [KH, KW, C, O] (taps = KH*KW) into `dst` (same size) by blocks of 8 output
   * channels (mode 0, for `conv2d`), 8 input channels (mode 1, for `conv2dBackpropInput`), or 8
   * input channels with the taps reversed (mode 2: the 180-degree rotation, for `conv2d` on dy).
   */
  packFilter(w: number, dst: number, taps: number, c: number, o: number, mode: 0 | 1 | 2): void;
  /**
   * out[t, m, n] (+)= sum_k a[t*sa + m*am + k*ak] * b[t*sb + k*N + n] for batches t0 <= t < t1 and
   * rows m0 <= m < m1 (`kernels-c/matMul.c`; strides in elements, out [T, M, N] contiguous, added
   * to when `accumulate` is 1; `scratch` 2048 floats at a 16-byte aligned address, or 0). Args: a,
   * b, out, t0, t1, M, K, N, sa, am, ak, sb, m0, m1, accumulate, scratch.
   */
  matMul(...args: number[]): void;
  /** out[r, n] = act(out[r, n] + bias[n]) (bias 0: none; relu 1: max(0, .)). Args: out, bias, rows, N, relu. */
  biasActivation(out: number, bias: number, rows: number, n: number, relu: number): void;
  /** out[i] = e^x[i] for i < n (Cephes' expf, ~1 ulp; `kernels-c/elementwise.c`). */
  expElementwise(x: number, out: number, n: number): void;
  /** out[i] = erf(x[i]) for i < n (Abramowitz and Stegun 7.1.26, |error| <= 1.5e-7, as tfjs's cpu backend). */
  erfElementwise(x: number, out: number, n: number): void;
  /**
   * out[i] = (x[i] - mean[i]) / sqrt(variance[i] + eps) * scale[i] + offset[i] for i < n, all of
   * one shape (scale or offset 0: left out). Args: x, mean, variance, scale, offset, out, n, eps.
   */
  normalizeElementwise(...args: number[]): void;
  /**
   * The gradient of {@link ConvKernels.normalizeElementwise}: dx, dmean, dvariance, dscale for an
   * upstream dy. Args: x, mean, variance, scale (or 0), dy, dx, dmean, dvariance, dscale, n, eps.
   */
  normalizeElementwiseGrad(...args: number[]): void;
  /** dx[r, c] = y[r, c] (dy[r, c] - sum_j dy[r, j] y[r, j]) (a softmax's gradient). Args: y, dy, dx, rows, cols. */
  softmaxGradRows(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /** out[r * reps + j] = x[r] for r < rows, j < reps. Args: x, out, rows, reps. */
  broadcastColumns(x: number, out: number, rows: number, reps: number): void;
  /** out[i] = 1 / sqrt(x[i]) for i < n. */
  rsqrtElementwise(x: number, out: number, n: number): void;
  /** out[i] = x[i] * s (op 0), x[i] + s (1), x[i] - s (2) or s - x[i] (3), for i < n. */
  scalarElementwise(x: number, out: number, n: number, s: number, op: number): void;
  /** out[r] = sum_c x[r, c] for r < rows, c < cols. */
  rowSum(x: number, out: number, rows: number, cols: number): void;
  /** sum_{i < n} x[i], accumulated in float64 (the caller rounds it to float32). */
  sumAll(x: number, n: number): number;
  /** out[a, c, b, :] = x[a, b, c, :], rows of D floats (Transpose [0, 2, 1, 3]). Args: x, out, A, B, C, D. */
  swapMiddleAxes(...args: number[]): void;
  /** 1 when x[i] is finite for every i < n (no inf, no NaN), else 0. */
  allFinite(x: number, n: number): number;
  /**
   * BAOAB's update (`kernels-c/langevinUpdates.c`): p1 = p - g kick, p2 = p1 c + r,
   * w' = w + (p1 + p2) half, p' = p2. Args: w, p, g, r, wOut, pOut, n, kick, c, half.
   */
  underdampedBaoab(...args: number[]): void;
  /** OBA's update: p2 = (p c + r) - g h, w' = w + p2 h, p' = p2. Args: w, p, g, r, wOut, pOut, n, h, c. */
  underdampedOba(...args: number[]): void;
  /** Adaptive Langevin's B, C, D: pm = (p - g kick) decay + r. Args: p, g, r, pmOut, n, kick, decay. */
  adaptiveFirstHalf(...args: number[]): void;
  /**
   * Adaptive Langevin's D, C and both A halves: p1 = p - g kick, p2 = (pm + r) decay,
   * w' = w + (p1 + p2) half, p' = p2. Args: w, p, g, pm, r, wOut, pOut, n, kick, decay, half.
   */
  adaptiveSecondHalf(...args: number[]): void;
}

/** The exports a {@link ConvKernelHelper} can run, by their index in the worker's table. */
export const HELPER_FUNCTIONS = [
  "filterGradient",
  "conv2d",
  "conv2dBackpropInput",
  "matMul",
  "expElementwise",
  "erfElementwise",
  "rsqrtElementwise",
  "softmaxGradRows",
] as const;

/** The compiled module and the memory it was instantiated on (what a worker needs to run it too). */
export interface ConvKernelModule {
  kernels: ConvKernels;
  /** The `WebAssembly.Module` (can be posted to a worker). */
  module: object;
  memory: WasmMemory;
  shared: boolean;
}

/**
 * Runs {@link ConvKernels.filterGradient} (or `conv2d`) with `args` on another thread
 * while the caller computes its own part: `start` posts the work, `wait` blocks until it is done
 * (throws the worker's error, or a timeout error).
 */
export interface ConvKernelHelper {
  start(args: readonly number[], fn?: (typeof HELPER_FUNCTIONS)[number]): void;
  wait(timeoutMs: number): void;
}

/** Makes a {@link ConvKernelHelper} for a module on a shared memory (installed by `@sam/backend/node`). */
export type ConvKernelHelperFactory = (m: ConvKernelModule) => ConvKernelHelper;

const modules = new WeakMap<WasmMemory, ConvKernelModule | null>();
const compiled: { plain?: object; shared?: object } = {};
let helperFactory: ConvKernelHelperFactory | undefined;
const helpers = new WeakMap<WasmMemory, ConvKernelHelper>();

/** Decodes base64 with `atob` (Node >= 16 and browsers). */
function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The compiled convolution kernels module instantiated on `backend`'s memory (once per memory), or
 * `undefined` when it cannot be (not the wasm backend, or no WebAssembly SIMD): then callers fall
 * back to the im2col path.
 *
 * @example
 * ```ts
 * const fg = convKernelModuleFor(tf.backend());
 * fg?.kernels.filterGradient(x, dy, dW, 0, B, H, W, C, OH, OW, O, 3, 3, 1, 1, 1, 1, 2, 1);
 * ```
 */
export function convKernelModuleFor(backend: unknown): ConvKernelModule | undefined {
  const memory = wasmMemoryOf(backend);
  if (!memory) return undefined;
  const known = modules.get(memory);
  if (known !== undefined) return known ?? undefined;
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const key = shared ? "shared" : "plain";
  let m: ConvKernelModule | null = null;
  try {
    compiled[key] ??= new WA.Module(fromBase64(CONV_KERNELS_WASM[key].base64));
    const instance = new WA.Instance(compiled[key]!, { env: { memory } });
    m = {
      kernels: instance.exports as unknown as ConvKernels,
      module: compiled[key]!,
      memory,
      shared,
    };
  } catch {
    m = null; // no SIMD or no matching memory: the im2col path
  }
  modules.set(memory, m);
  return m ?? undefined;
}

/**
 * Installs (or, with `undefined`, removes) the factory of second-thread helpers for shared
 * memories. `@sam/backend/node` installs a `worker_threads` one from `initWasmWithThreads`, so
 * the main entry never imports Node built-ins.
 *
 * @example
 * ```ts
 * setConvKernelHelperFactory((m) => myHelper(m));
 * ```
 */
export function setConvKernelHelperFactory(factory: ConvKernelHelperFactory | undefined): void {
  helperFactory = factory;
}

/**
 * The second-thread helper for `m` (made once per memory), or `undefined` when the memory is not
 * shared or no factory is installed.
 *
 * @example
 * ```ts
 * const helper = convKernelHelperFor(m); // undefined on one thread
 * ```
 */
export function convKernelHelperFor(m: ConvKernelModule): ConvKernelHelper | undefined {
  if (!m.shared || !helperFactory) return undefined;
  let h = helpers.get(m.memory);
  if (!h) {
    h = helperFactory(m);
    helpers.set(m.memory, h);
  }
  return h;
}

/**
 * Runs export `fn` of `m` in two parts at once: `theirs` on `helper` while this thread runs
 * `mine`, then waits for the helper (always, even when this thread's part throws: the helper may
 * still be writing into buffers the caller frees next). `timeoutMs` bounds the wait. Every kernel
 * that splits its work with the helper thread goes through here.
 *
 * @example
 * ```ts
 * // rows [half, rows) on the helper, [0, half) here
 * splitWithHelper(m, helper, "softmaxGradRows", [y, dy, dx, half, cols], [y2, dy2, dx2, rows - half, cols], 10_000);
 * ```
 */
export function splitWithHelper(
  m: ConvKernelModule,
  helper: ConvKernelHelper,
  fn: (typeof HELPER_FUNCTIONS)[number],
  mine: readonly number[],
  theirs: readonly number[],
  timeoutMs: number,
): void {
  helper.start(theirs, fn);
  try {
    (m.kernels[fn] as (...args: number[]) => void)(...mine);
  } finally {
    helper.wait(timeoutMs);
  }
}

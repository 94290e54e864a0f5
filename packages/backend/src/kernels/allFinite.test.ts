import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, initBackends, values } from "../../test/compareBackends";
import { convKernelModuleFor } from "../internal/convKernels";
import { ALL_FINITE } from "./allFinite";

/** SamAllFinite over these arrays (as float32 tensors), on wasm, read back as a boolean. */
function allFiniteOnWasm(arrays: readonly Float32Array[]): boolean {
  return tf.tidy(() => {
    const inputs = Object.fromEntries(arrays.map((a, i) => [String(i), tf.tensor1d(a)]));
    const out = tf.engine().runKernel(ALL_FINITE, inputs, {}) as tf.Tensor;
    expect(out.dtype).toBe("bool");
    expect(out.shape).toEqual([]);
    return out.dataSync()[0] === 1;
  });
}

const NON_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
// every path of the kernel: 16-float blocks, 4-float vectors, the scalar tail, and sizes 0-3
const SIZES = [0, 1, 3, 4, 5, 15, 16, 17, 19, 20, 33, 1000, 1027];

describe("SamAllFinite on wasm", () => {
  beforeAll(initBackends);

  it("is registered on wasm by registerWasmTrainingKernels", () => {
    expect(tf.getBackend()).toBe("wasm");
    expect(tf.getKernel(ALL_FINITE, "wasm")).toBeDefined();
    expect(convKernelModuleFor(tf.backend())?.kernels.allFinite).toBeTypeOf("function"); // the compiled path
  });

  it("is true for finite values: extremes, subnormals, signed zeros", () => {
    const extremes = Float32Array.from([
      3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -1e-45, 0, -0, 1,
    ]);
    expect(allFiniteOnWasm([extremes])).toBe(true);
    for (const n of SIZES) expect(allFiniteOnWasm([values(n, n + 1)]), `size ${n}`).toBe(true);
  });

  it("is false for one inf or NaN anywhere: first, middle and last entry, at every size", () => {
    for (const n of SIZES.filter((s) => s > 0)) {
      for (const at of new Set([0, n >> 1, n - 1])) {
        for (const bad of NON_FINITE) {
          const a = values(n, 7);
          a[at] = bad;
          expect(allFiniteOnWasm([a]), `size ${n}, ${bad} at ${at}`).toBe(false);
        }
      }
    }
  });

  it("checks every input: only the last of several holds a NaN", () => {
    const last = values(37, 3);
    last[36] = Number.NaN;
    expect(allFiniteOnWasm([values(64, 1), new Float32Array(0), values(5, 2), last])).toBe(false);
    expect(allFiniteOnWasm([values(64, 1), new Float32Array(0), values(5, 2)])).toBe(true);
  });

  it("agrees with all(isFinite(x)) on a 670k-entry tensor with one NaN (a dense layer's update)", () => {
    const a = values(670_000, 9).map((v) => v * 1e30);
    expect(allFiniteOnWasm([a])).toBe(tf.tidy(() => tf.all(tf.isFinite(tf.tensor1d(a))).dataSync()[0] === 1));
    a[654_321] = Number.NaN;
    expect(allFiniteOnWasm([a])).toBe(false);
  });

  it("refuses an input that is not float32, naming it", () => {
    expect(() =>
      tf.tidy(() => tf.engine().runKernel(ALL_FINITE, { 0: tf.ones([2]), 1: tf.ones([2], "int32") }, {})),
    ).toThrow(/SamAllFinite: input 1 is int32 \[2\]; it checks float32 tensors only/);
  });

  it("leaks no tensor", () => {
    const a = tf.tensor1d(values(100, 4));
    const b = tf.scalar(2);
    expectNoLeak(() => tf.engine().runKernel(ALL_FINITE, { 0: a, 1: b }, {}) as tf.Tensor);
    tf.dispose([a, b]);
  });
});

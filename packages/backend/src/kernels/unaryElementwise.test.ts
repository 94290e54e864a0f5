import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, initBackends, runOn, values } from "../../test/compareBackends";

/** max_i |a_i - b_i| / max(|b_i|, floor), NaN where they disagree on NaN-ness or infinities. */
function elementwiseRelativeError(a: Float32Array, b: Float32Array, floor: number): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) return Number.NaN;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(y), floor));
  }
  return worst;
}

// every range a branch of the kernels handles, and the tails (sizes not a multiple of 4)
const SPECIAL = [
  0, -0, 1, -1, 1e-30, -1e-30, 0.5, 3, -3, 10, -10, 87, 88.7, 88.8, 100, -87.3, -87.4, -103, -200,
];
const specials = Float32Array.from([
  ...SPECIAL,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
]);
const wide = Float32Array.from(values(1001, 5), (v) => v * 40); // [-40, 40)

describe("SIMD Exp, Erf and Rsqrt on wasm equal cpu", () => {
  beforeAll(initBackends);
  const check = (op: (x: tf.Tensor) => tf.Tensor, input: Float32Array, floor: number) => {
    const f = () => op(tf.tensor1d(input));
    const ref = runOn("cpu", f).data;
    const got = runOn("wasm", f).data;
    return elementwiseRelativeError(got, ref, floor);
  };

  it("Exp: within 2 float ulps (2.4e-7 relative) down to the subnormals, 0 below, inf above, NaN kept", () => {
    expect(check(tf.exp, specials, 1e-37)).toBeLessThan(2.4e-7);
    // subnormal results (x in [-103, -87.4]): within one subnormal step, 2^-149
    const tiny = Float32Array.from({ length: 40 }, (_, i) => -87.4 - 0.4 * i);
    const f = () => tf.exp(tf.tensor1d(tiny));
    const [ref, got] = [runOn("cpu", f).data, runOn("wasm", f).data];
    for (let i = 0; i < tiny.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(2 ** -149);
    expect(check(tf.exp, wide, 1e-30)).toBeLessThan(2.4e-7);
    const out = runOn("wasm", () => tf.exp(tf.tensor1d([-105, 89, Number.NaN]))).data;
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(Number.POSITIVE_INFINITY);
    expect(out[2]).toBeNaN();
  });

  it("Erf: the cpu backend's Abramowitz-Stegun 7.1.26 to 1e-6 absolute, odd, saturating at +-1", () => {
    const small = Float32Array.from(values(1003, 6), (v) => v * 6); // [-6, 6)
    expect(check(tf.erf, small, 1)).toBeLessThan(1e-6);
    expect(check(tf.erf, specials, 1)).toBeLessThan(1e-6);
    const out = runOn("wasm", () => tf.erf(tf.tensor1d([0.5, -0.5, 30, -30]))).data;
    expect(out[0]).toBeCloseTo(0.5204998778, 6); // erf(0.5)
    expect(out[1]).toBe(-out[0]!);
    expect([out[2], out[3]]).toEqual([1, -1]);
  });

  it("Rsqrt: within 2 ulps on positives; 1/sqrt(0) = inf, negatives NaN", () => {
    const positive = Float32Array.from(values(1001, 7), (v) => Math.abs(v) * 100 + 1e-6);
    expect(check(tf.rsqrt, positive, 1e-30)).toBeLessThan(2.4e-7);
    const out = runOn("wasm", () => tf.rsqrt(tf.tensor1d([0, -1, 4]))).data;
    expect(out[0]).toBe(Number.POSITIVE_INFINITY);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(0.5);
  });

  it("keeps int32 input on the native kernel", () => {
    const out = runOn("wasm", () => tf.exp(tf.tensor1d([0, 1], "int32")));
    expect(out.data[0]).toBe(1);
    expect(out.data[1]).toBeCloseTo(Math.E, 5);
  });

  it("leaks no tensor", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(values(4 * 33, 8), [4, 33]);
    expectNoLeak(() => tf.exp(x));
    expectNoLeak(() => tf.erf(x));
    const positive = tf.abs(x);
    expectNoLeak(() => tf.rsqrt(positive));
    positive.dispose();
    x.dispose();
  });
});

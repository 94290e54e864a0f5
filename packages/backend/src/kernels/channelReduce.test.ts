import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";

describe("per-channel Sum/Mean on wasm equal cpu", () => {
  beforeAll(initBackends);
  const cases: { shape: number[]; axis: number | number[] | null; keepDims?: boolean }[] = [
    { shape: [4, 5, 6, 8], axis: [0, 1, 2] },
    { shape: [4, 5, 6, 8], axis: [2, 0, 1], keepDims: true },
    { shape: [7, 12], axis: 0 },
    { shape: [3, 300, 16], axis: [-3, -2] },
    { shape: [4, 5, 6, 6], axis: [0, 1, 2] }, // C = 6: native
    { shape: [4, 5, 6, 8], axis: [1, 2] }, // not all leading axes: native
    { shape: [4, 8], axis: null }, // full reduction: Sum by sumAll, Mean native
    { shape: [3, 5, 7], axis: [0, 1, 2], keepDims: true }, // full, keepDims, a scalar tail
    { shape: [1, 37], axis: 1 }, // every axis longer than 1 (sumAll), the size-1 axis kept
    { shape: [3], axis: 0 }, // shorter than one vector
    { shape: [4, 8], axis: 1 }, // last axis: Sum by rowSum, Mean native
    // the gradient of tile(gamma [1, 1, 64], [64, 64, 1]) (in small): reduced axes before the kept ones
    { shape: [6, 1, 5, 1, 1, 8], axis: [0, 2, 4] },
    // the gradient of tile(mean [64, 64, 1], [1, 1, 64]): kept axes first, a row sum
    { shape: [1, 6, 1, 5, 9, 1], axis: [0, 2, 4], keepDims: true },
    { shape: [3, 4, 5, 7], axis: [2, 3] }, // trailing, 35 floats a row (a scalar tail)
    { shape: [3, 4, 5, 7], axis: [1, 3] }, // neither leading nor trailing: native
  ];
  for (const [name, op] of [
    ["Sum", tf.sum],
    ["Mean", tf.mean],
  ] as const)
    for (const c of cases) {
      it(`${name} of [${c.shape}] over ${JSON.stringify(c.axis)}${c.keepDims ? " keepDims" : ""}`, () => {
        const v = values(tf.util.sizeFromShape(c.shape), 11);
        expectSameOnBackends(() => op(tf.tensor(v, c.shape), c.axis ?? undefined, c.keepDims), 1e-6);
      });
    }

  it("sums a 784 x 512 layer's squares (Langevin's kinetic energy) with one float32 rounding", () => {
    const v = values(784 * 512, 5).map((x) => x * x);
    let exact = 0;
    for (const x of v) exact += x; // float64
    const got = tf.tidy(() => tf.sum(tf.tensor2d(v, [784, 512])).dataSync()[0]!);
    // float64 accumulation, one rounding: at most 2^-24 relatively (a float32 running sum: ~1e-5)
    expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(2 ** -24);
  });

  it("sums an empty tensor to 0 and a total that fits although float32 partial sums would not", () => {
    const read = (t: () => tf.Tensor) => tf.tidy(() => Array.from(t().dataSync()));
    expect(read(() => tf.sum(tf.zeros([0, 5])))).toEqual([0]);
    expect(read(() => tf.sum(tf.zeros([1, 0]), 1))).toEqual([0]);
    // 3e38 + 3e38 overflows float32; the float64 sum is 3e38, which fits
    const big = Math.fround(3e38);
    expect(read(() => tf.sum(tf.tensor1d([big, big, -big])))).toEqual([big]);
  });

  it("keeps int32 sums on the native kernel", () => {
    expectSameOnBackends(() => tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], "int32"), 0), 0);
  });

  it("leaks no tensor", () => {
    const x = tf.tensor4d(values(2 * 3 * 3 * 8, 1), [2, 3, 3, 8]);
    expectNoLeak(() => [tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1, 2], true)]);
    x.dispose();
  });
});

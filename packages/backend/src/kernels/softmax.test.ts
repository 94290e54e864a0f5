import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, runOn, values } from "../../test/compareBackends";

describe("SIMD Softmax on wasm equals cpu", () => {
  beforeAll(initBackends);
  const cases: number[][] = [
    [2, 3, 8, 8], // attention weights in small
    [5, 7], // rows of 7 (a scalar tail)
    [3, 1], // rows of one: all ones
    [4, 130],
  ];
  for (const shape of cases)
    it(`over the last axis of [${shape}]`, () => {
      const v = Float32Array.from(values(tf.util.sizeFromShape(shape), 3), (x) => x * 8);
      expectSameOnBackends(() => tf.softmax(tf.tensor(v, shape)), 1e-6);
    });

  it("subtracts the row's maximum: logits of 1000 give no overflow", () => {
    const out = runOn("wasm", () => tf.softmax(tf.tensor2d([1000, 1000, 999, -1000], [1, 4]))).data;
    const e = Math.exp(-1);
    expect(out[0]).toBeCloseTo(1 / (2 + e), 6);
    expect(out[2]).toBeCloseTo(e / (2 + e), 6);
    expect(out[3]).toBe(0);
  });

  it("gives cpu's gradient through tf.grad (the backward uses the forward's output)", () => {
    const v = values(3 * 12, 4);
    const w = values(3 * 12, 5);
    expectSameOnBackends(
      () =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), tf.tensor(w, [3, 12]))))(
          tf.tensor(v, [3, 12]),
        ),
      1e-5,
    );
  });

  it("leaks no tensor", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(values(4 * 33, 8), [4, 33]);
    expectNoLeak(() => tf.softmax(x));
    x.dispose();
  });
});

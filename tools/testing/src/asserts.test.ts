import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { expectNoLeak } from "./expectNoLeak";
import { expectTensorsClose, expectTensorsEqual } from "./expectTensorsClose";
import { quadratic } from "./fixtures/quadratic";

// The helpers every other test relies on must themselves fail when they should.
describe("expectTensorsClose", () => {
  it("passes within atol + rtol |expected| and fails outside, naming the element", () => {
    expectTensorsClose(tf.tensor1d([1, 2.0000005]), [1, 2], { atol: 1e-6, rtol: 0 });
    expect(() => expectTensorsClose(tf.tensor1d([1, 2.1]), [1, 2], { atol: 1e-6, rtol: 1e-3 })).toThrow(
      /element 1 is 2.09999/,
    );
    expect(() => expectTensorsClose(tf.tensor1d([Number.NaN]), [0])).toThrow(/element 0 is NaN/);
    expect(() => expectTensorsClose(tf.zeros([2, 2]), tf.zeros([4]))).toThrow(/shape/);
  });

  it("expectTensorsEqual demands bit equality", () => {
    expectTensorsEqual(tf.tensor1d([0.1, 0.2]), tf.tensor1d([0.1, 0.2]));
    expect(() => expectTensorsEqual(tf.tensor1d([0.1]), tf.tensor1d([0.1 + 1e-7]))).toThrow(/exactly/);
  });
});

describe("expectNoLeak", () => {
  it("accepts a step that allocates only on its first call and rejects one that leaks", async () => {
    let state: tf.Variable | null = null;
    await expectNoLeak(() => {
      state ??= tf.variable(tf.zeros([3]));
      return tf.add(state, 1);
    });
    const kept: tf.Tensor[] = [];
    await expect(expectNoLeak(() => kept.push(tf.keep(tf.ones([2]))))).rejects.toThrow(
      /tensors alive after calls 2..5/,
    );
    tf.dispose(kept);
  });
});

describe("fixtures", () => {
  it("the quadratic has the loss and minimum it documents", () => {
    const q = quadratic({ a: [1, 3], c: [1, -2], w0: [0, 0] });
    expectTensorsClose(q.loss(), 0.5 * 1 * 1 + 0.5 * 3 * 4);
    q.w.assign(tf.tensor1d([1, -2]));
    expectTensorsClose(q.loss(), 0);
    q.dispose();
  });
});

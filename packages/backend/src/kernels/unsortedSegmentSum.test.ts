import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";

describe("UnsortedSegmentSum on wasm equals cpu", () => {
  beforeAll(initBackends);
  it("sums rows with repeated, missing and out-of-range ids", () => {
    const x = values(7 * 3 * 2, 31);
    expectSameOnBackends(
      () => tf.unsortedSegmentSum(tf.tensor(x, [7, 3, 2]), tf.tensor1d([0, 4, 0, 2, 9, 4, 1], "int32"), 5),
      1e-6,
    );
  });
  it("handles 1-D x and int32 values", () => {
    expectSameOnBackends(
      () => tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], "int32"), tf.tensor1d([1, 1, 0, 2], "int32"), 3),
      0,
    );
  });
  it("is the gradient of gather (an embedding lookup) on wasm", () => {
    const table = values(10 * 4, 32);
    expectSameOnBackends(() =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.gather(
              t,
              tf.tensor2d(
                [
                  [1, 3, 1],
                  [9, 0, 3],
                ],
                [2, 3],
                "int32",
              ),
            ),
          ),
        ),
      )(tf.tensor(table, [10, 4])),
    );
  });
  it("leaks no tensor", () => {
    const x = tf.tensor2d(values(12, 33), [4, 3]);
    const ids = tf.tensor1d([0, 1, 0, 1], "int32");
    expectNoLeak(() => tf.unsortedSegmentSum(x, ids, 2));
    tf.dispose([x, ids]);
  });
  it("rejects multi-dimensional segment ids with a clear error", () => {
    const x = tf.zeros([2, 3]);
    const ids = tf.zeros([2, 3], "int32");
    expect(() =>
      tf.engine().runKernel(tf.UnsortedSegmentSum, { x, segmentIds: ids }, { numSegments: 2 }),
    ).toThrow(/segmentIds must be 1-D/);
    tf.dispose([x, ids]);
  });
});

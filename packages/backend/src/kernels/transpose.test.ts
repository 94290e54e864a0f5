import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import { swapMiddleView } from "./transpose";

describe("swapMiddleView", () => {
  it("reads a head split or merge as [A, B, C, D]", () => {
    expect(swapMiddleView([64, 4, 64, 16], [0, 2, 1, 3])).toEqual([64, 4, 64, 16]);
    expect(swapMiddleView([2, 3, 8], [1, 0, 2])).toEqual([1, 2, 3, 8]);
    expect(swapMiddleView([5, 7], [1, 0])).toEqual([1, 5, 7, 1]);
    expect(swapMiddleView([2, 3, 4, 5], [0, 3, 1, 2])).toEqual([2, 12, 5, 1]);
  });

  it("merges axes that stay neighbours and ignores axes of size 1", () => {
    expect(swapMiddleView([2, 3, 4, 5, 6], [0, 3, 1, 2, 4])).toEqual([2, 12, 5, 6]);
    // an identity once the axis of 1 is left out: nothing to swap, tfjs's own copy
    expect(swapMiddleView([2, 1, 4, 5], [0, 2, 1, 3])).toBeUndefined();
  });

  it("refuses other permutations", () => {
    expect(swapMiddleView([2, 3, 4], [2, 1, 0])).toBeUndefined();
    expect(swapMiddleView([2, 3, 4, 5], [1, 0, 3, 2])).toBeUndefined();
  });
});

describe("Transpose on wasm equals cpu", () => {
  beforeAll(initBackends);
  const cases: [number[], number[]][] = [
    [
      [3, 4, 5, 8],
      [0, 2, 1, 3],
    ], // head split, rows of 8
    [
      [3, 5, 4, 8],
      [0, 2, 1, 3],
    ], // head merge
    [
      [2, 3, 4, 6],
      [0, 2, 1, 3],
    ], // rows of 6 (a scalar tail)
    [
      [3, 4, 16],
      [1, 0, 2],
    ],
    [
      [2, 3, 4, 5, 6],
      [0, 3, 1, 2, 4],
    ],
    [
      [5, 7],
      [1, 0],
    ], // a matrix transpose: native
    [
      [2, 3, 4, 2],
      [0, 2, 1, 3],
    ], // rows of 2: native
  ];
  for (const [shape, perm] of cases)
    it(`[${shape}] by [${perm}]`, () => {
      const v = values(tf.util.sizeFromShape(shape), 9);
      expectSameOnBackends(() => tf.transpose(tf.tensor(v, shape), perm), 0);
    });

  it("shares the data when only axes of 1 move (no copy, no leak)", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(values(3 * 4, 2), [3, 1, 4]);
    const y = tf.transpose(x, [1, 0, 2]);
    expect(y.shape).toEqual([1, 3, 4]);
    expect(y.dataId).toBe(x.dataId);
    expect([...y.dataSync()]).toEqual([...x.dataSync()]);
    expectNoLeak(() => tf.transpose(x, [0, 1, 2]));
    tf.dispose([x, y]);
  });

  it("keeps int32 exact", () => {
    const v = Int32Array.from({ length: 2 * 3 * 4 * 4 }, (_, i) => i * 1_000_003);
    const got = tf.transpose(tf.tensor(v, [2, 3, 4, 4], "int32"), [0, 2, 1, 3]);
    expect(got.dtype).toBe("int32");
    expect(got.dataSync()[4]).toBe(v[16]); // out[0, 1, 0, 0] = x[0, 0, 1, 0]
  });

  it("leaks no tensor", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor(values(2 * 3 * 4 * 8, 1), [2, 3, 4, 8]);
    expectNoLeak(() => tf.transpose(x, [0, 2, 1, 3]));
    x.dispose();
  });
});

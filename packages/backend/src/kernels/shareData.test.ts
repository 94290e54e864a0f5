import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, initBackends, values } from "../../test/compareBackends";

const offset = (t: tf.Tensor) =>
  (tf.backend() as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);

describe("Identity and same-dtype Cast on wasm share the buffer", () => {
  beforeAll(initBackends);

  it("tf.clone shares the input's memory; the data survives the input's disposal", () => {
    const x = tf.tensor2d(values(6, 1), [2, 3]);
    const y = tf.clone(x);
    expect(offset(y)).toBe(offset(x));
    const expected = Array.from(x.dataSync());
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(expected);
    y.dispose();
  });

  it("cast to the same dtype shares; to another dtype converts (int32 truncates)", () => {
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const same = tf.cast(x, "float32");
    expect(offset(same)).toBe(offset(x));
    const ints = tf.cast(x, "int32");
    expect(offset(ints)).not.toBe(offset(x));
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([x, same, ints]);
  });

  it("a variable assigned a clone keeps its value after the source is disposed", () => {
    const v = tf.variable(tf.zeros([3]));
    const src = tf.tensor1d([4, 5, 6]);
    v.assign(tf.clone(src));
    src.dispose();
    expect(Array.from(v.dataSync())).toEqual([4, 5, 6]);
    v.dispose();
  });

  it("leaks no tensor and no byte", () => {
    const x = tf.tensor2d(values(12, 2), [3, 4]);
    expectNoLeak(() => tf.clone(x));
    expectNoLeak(() => tf.cast(x, "float32"));
    const before = tf.memory().numTensors;
    x.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });
});

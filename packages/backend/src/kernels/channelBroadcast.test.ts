import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import { channelCoefficients } from "./channelBroadcast";

describe("channel-broadcast Add/Sub/Multiply on wasm equal cpu", () => {
  beforeAll(initBackends);
  const ops = { Add: tf.add, Sub: tf.sub, Multiply: tf.mul } as const;
  const cases: { full: number[]; vec: number[] }[] = [
    { full: [2, 3, 4, 8], vec: [8] },
    { full: [2, 3, 4, 8], vec: [1, 1, 1, 8] },
    { full: [5, 12], vec: [12] },
    { full: [3, 16], vec: [1, 16] },
    { full: [2, 3, 4, 6], vec: [6] }, // C not a multiple of 4: native
    { full: [2, 3, 4, 8], vec: [2, 3, 4, 8] }, // same shapes: native
    { full: [2, 3, 4, 8], vec: [] }, // scalar: the compiled scalarElementwise
    { full: [3, 7], vec: [1, 1] }, // scalar of rank 2, 21 floats (a scalar tail)
    { full: [5], vec: [1, 1, 1] }, // the scalar's rank wins: out [1, 1, 5]
    { full: [2, 3, 4, 8], vec: [1, 3, 1, 8] }, // other broadcast: native
  ];
  for (const [name, op] of Object.entries(ops))
    for (const c of cases)
      for (const vectorFirst of [false, true]) {
        it(`${name} [${vectorFirst ? c.vec : c.full}] with [${vectorFirst ? c.full : c.vec}]`, () => {
          const f = values(tf.util.sizeFromShape(c.full), 3);
          const v = values(tf.util.sizeFromShape(c.vec), 4);
          expectSameOnBackends(() => {
            const a = tf.tensor(f, c.full);
            const b = tf.tensor(v, c.vec);
            return vectorFirst ? op(b, a) : op(a, b);
          }, 0);
        });
      }

  it("keeps int32 on the native kernel", () => {
    const r = tf.add(
      tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], "int32"),
      tf.tensor1d([1, 1, 1, 1], "int32"),
    );
    expect(r.dtype).toBe("int32");
    expect([...r.dataSync()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("coefficients are exact rewrites of each op", () => {
    const v = new Float32Array([2, -3]);
    const [m, k, b] = channelCoefficients("Sub", v, true);
    expect([...m, ...k, ...b]).toEqual([2, -3, -1, -1, 0, 0]);
  });

  it("leaks no tensor", () => {
    const x = tf.tensor4d(values(2 * 2 * 2 * 8, 1), [2, 2, 2, 8]);
    const v = tf.tensor1d(values(8, 2));
    expectNoLeak(() => [tf.add(x, v), tf.sub(v, x), tf.mul(x, v)]);
    tf.dispose([x, v]);
  });
});

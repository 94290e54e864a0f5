import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";

describe("BatchMatMul on wasm equals cpu", () => {
  beforeAll(initBackends);
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; route: string }[] = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false, route: "native GEMM" },
    { a: [7, 5], b: [7, 3], ta: true, tb: false, route: "a transposed first" },
    { a: [5, 7], b: [3, 7], ta: false, tb: true, route: "b transposed first" },
    { a: [7, 5], b: [3, 7], ta: true, tb: true, route: "both transposed first" },
    { a: [2, 3, 5, 7], b: [7, 4], ta: false, tb: false, route: "batch folded into M" },
    { a: [2, 3, 5, 7], b: [4, 7], ta: false, tb: true, route: "batch folded, b transposed" },
    { a: [1, 9, 6], b: [1, 6, 2], ta: false, tb: false, route: "native GEMM (rank 3, batch 1)" },
    { a: [1, 6, 9], b: [1, 2, 6], ta: true, tb: true, route: "rank 3 batch 1, both transposed first" },
    { a: [2, 5, 7], b: [2, 7, 3], ta: false, tb: false, route: "native (both batched, N = 3)" },
    { a: [2, 5, 7], b: [2, 7, 8], ta: false, tb: false, route: "SIMD batched" },
    { a: [3, 2, 6, 5], b: [3, 2, 6, 4], ta: true, tb: false, route: "SIMD batched, a transposed first" },
    {
      a: [3, 2, 5, 6],
      b: [3, 2, 12, 6],
      ta: false,
      tb: true,
      route: "SIMD batched, b transposed first (Q.K^T)",
    },
    { a: [4, 6, 5], b: [4, 8, 6], ta: true, tb: true, route: "SIMD batched, both transposed first" },
    { a: [2, 8, 7], b: [2, 7, 12], ta: false, tb: false, route: "SIMD batched, 4x4 blocks (M = 8)" },
    { a: [2, 2, 12, 4], b: [2, 2, 12, 4], ta: false, tb: true, route: "SIMD 4x4 blocks, Q.K^T (M = N = 12)" },
    { a: [3, 5, 8], b: [3, 5, 4], ta: true, tb: false, route: "SIMD 4x4 blocks, a transposed first (M = 8)" },
    { a: [2, 3, 9], b: [2, 3, 7], ta: true, tb: false, route: "native (batched a transposed, N = 7)" },
    { a: [2, 7, 5], b: [7, 3], ta: true, tb: false, route: "native (batched a transposed, b unbatched)" },
    { a: [2, 1, 5, 7], b: [2, 3, 7, 4], ta: false, tb: false, route: "native (broadcast batches)" },
    { a: [5, 7], b: [2, 7, 3], ta: false, tb: false, route: "native (b batched)" },
  ];
  for (const c of cases)
    it(`[${c.a}]${c.ta ? "^T" : ""} . [${c.b}]${c.tb ? "^T" : ""}: ${c.route}`, () => {
      const av = values(tf.util.sizeFromShape(c.a), 11);
      const bv = values(tf.util.sizeFromShape(c.b), 12);
      expectSameOnBackends(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb), 1e-5);
    });

  it("gives a dense layer's gradients on a [B, T, d] input (dx = dy.W^T, dW = x^T.dy) as cpu", () => {
    const xv = values(2 * 3 * 8, 13);
    const wv = values(8 * 5, 14);
    expectSameOnBackends(() => {
      const [dx, dw] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(tf.reshape(x, [6, 8]), w as tf.Tensor2D))),
      )([tf.tensor3d(xv, [2, 3, 8]), tf.tensor2d(wv, [8, 5])]);
      return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
    }, 1e-5);
  });

  it("leaks no tensor on any route", () => {
    const a = tf.tensor(values(2 * 3 * 5 * 7, 1), [2, 3, 5, 7]);
    const b = tf.tensor(values(4 * 7, 2), [4, 7]);
    const t = tf.tensor(values(7 * 5, 3), [7, 5]);
    const c = tf.tensor(values(7 * 4, 4), [7, 4]);
    expectNoLeak(() => tf.matMul(a, b, false, true));
    expectNoLeak(() => tf.matMul(t, c, true, false));
    const q = tf.tensor(values(2 * 3 * 5 * 8, 5), [2, 3, 5, 8]);
    expectNoLeak(() => tf.matMul(q, q, false, true));
    tf.dispose([a, b, t, c, q]);
  });
});

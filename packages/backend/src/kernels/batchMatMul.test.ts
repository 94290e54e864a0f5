import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { simdKernelsFor } from "../internal/simdKernels";
import { compiledMatMul } from "./batchMatMul";

describe("BatchMatMul on wasm equals cpu", () => {
  beforeAll(initBackends);
  // route: where makeBatchMatMulConfig sends the product ("XNNPACK": tfjs-wasm's own kernel)
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; route: string }[] = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false, route: "XNNPACK (plain, batch 1)" },
    { a: [7, 5], b: [7, 3], ta: true, tb: false, route: "compiled, a read transposed in place" },
    { a: [5, 7], b: [3, 7], ta: false, tb: true, route: "compiled, b transposed first" },
    { a: [7, 5], b: [3, 7], ta: true, tb: true, route: "compiled, both transposed" },
    { a: [2, 3, 5, 7], b: [7, 4], ta: false, tb: false, route: "compiled, b shared by every batch" },
    { a: [2, 3, 5, 7], b: [4, 7], ta: false, tb: true, route: "compiled, shared b transposed" },
    { a: [1, 9, 6], b: [1, 6, 2], ta: false, tb: false, route: "XNNPACK (rank 3, batch 1)" },
    { a: [1, 6, 9], b: [1, 2, 6], ta: true, tb: true, route: "compiled, rank 3 batch 1, both transposed" },
    { a: [2, 5, 7], b: [2, 7, 3], ta: false, tb: false, route: "compiled, N = 3 (scalar columns)" },
    { a: [2, 5, 7], b: [2, 7, 8], ta: false, tb: false, route: "compiled, one 8-column block, M = 5" },
    { a: [3, 2, 6, 5], b: [3, 2, 6, 4], ta: true, tb: false, route: "compiled batched, a transposed" },
    {
      a: [3, 2, 5, 6],
      b: [3, 2, 12, 6],
      ta: false,
      tb: true,
      route: "compiled batched, b transposed (Q.K^T)",
    },
    { a: [4, 6, 5], b: [4, 8, 6], ta: true, tb: true, route: "compiled batched, both transposed" },
    { a: [2, 8, 7], b: [2, 7, 12], ta: false, tb: false, route: "compiled, 8 + 4 columns, M = 8" },
    { a: [2, 2, 12, 4], b: [2, 2, 12, 4], ta: false, tb: true, route: "compiled, Q.K^T (M = N = 12)" },
    { a: [3, 5, 8], b: [3, 5, 4], ta: true, tb: false, route: "compiled, a transposed (M = 8)" },
    { a: [2, 3, 9], b: [2, 3, 7], ta: true, tb: false, route: "compiled, N = 7 (4 + 3 scalar columns)" },
    { a: [2, 7, 5], b: [7, 3], ta: true, tb: false, route: "compiled, batched a transposed, b shared" },
    { a: [2, 1, 5, 7], b: [2, 3, 7, 4], ta: false, tb: false, route: "XNNPACK loop (broadcast batches)" },
    { a: [5, 7], b: [2, 7, 3], ta: false, tb: false, route: "compiled, a shared by every batch of b" },
    { a: [600, 9], b: [600, 13], ta: true, tb: false, route: "compiled, K = 600: three panels of K" },
    { a: [3, 13, 300], b: [3, 300, 21], ta: false, tb: false, route: "compiled, K = 300, M = 13, N = 21" },
    { a: [1, 1, 4], b: [1, 5, 4], ta: false, tb: true, route: "compiled, M = 1, N = 5" },
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

  it("runs every case marked compiled on the compiled kernel (and only those)", async () => {
    await tf.setBackend("wasm");
    const be = tf.backend() as unknown as DisposingWasmBackend;
    for (const c of cases) {
      const a = tf.tensor(values(tf.util.sizeFromShape(c.a), 1), c.a);
      const b = tf.tensor(values(tf.util.sizeFromShape(c.b), 2), c.b);
      const out = compiledMatMul(be, simdKernelsFor(be)!, a, b, c.ta, c.tb);
      const plain =
        !c.ta &&
        !c.tb &&
        tf.util.sizeFromShape(c.a.slice(0, -2)) === 1 &&
        tf.util.sizeFromShape(c.b.slice(0, -2)) === 1;
      // the kernel config sends plain products to XNNPACK before asking the compiled kernel
      if (!plain) expect(out !== undefined, `${c.route}`).toBe(c.route.startsWith("compiled"));
      if (out) be.disposeData(out.dataId);
      tf.dispose([a, b]);
    }
  });

  it("gives exact sums of small integers on every tile shape (M 1..9, N 1..17)", () => {
    // integers below 2^24 add exactly in any order, so wasm must equal cpu bit for bit
    for (let m = 1; m <= 9; m += 2)
      for (let n = 1; n <= 17; n += 4) {
        const k = 6;
        const av = Float32Array.from({ length: 2 * k * m }, (_, i) => (i % 7) - 3);
        const bv = Float32Array.from({ length: 2 * k * n }, (_, i) => (i % 5) - 2);
        const err = expectSameOnBackends(
          () => tf.matMul(tf.tensor(av, [2, k, m]), tf.tensor(bv, [2, k, n]), true, false),
          0,
        );
        expect(err).toBe(0);
      }
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

describe("_FusedMatMul (a dense layer's forward) on wasm equals cpu", () => {
  beforeAll(initBackends);
  const cases: {
    a: number[];
    b: number[];
    ta: boolean;
    tb: boolean;
    act: tf.fused.Activation;
    bias: boolean;
  }[] = [
    { a: [9, 7], b: [7, 12], ta: false, tb: false, act: "linear", bias: true },
    { a: [9, 7], b: [7, 12], ta: false, tb: false, act: "relu", bias: true },
    { a: [9, 7], b: [7, 13], ta: false, tb: false, act: "relu", bias: false },
    { a: [7, 9], b: [12, 7], ta: true, tb: true, act: "linear", bias: true },
    { a: [2, 9, 7], b: [2, 7, 5], ta: false, tb: false, act: "relu", bias: true },
    { a: [9, 7], b: [7, 12], ta: false, tb: false, act: "elu", bias: true }, // elu: XNNPACK
  ];
  for (const c of cases)
    it(`[${c.a}]${c.ta ? "^T" : ""} . [${c.b}]${c.tb ? "^T" : ""}, ${c.act}${c.bias ? " + bias" : ""}`, () => {
      const n = c.tb ? c.b[c.b.length - 2]! : c.b[c.b.length - 1]!;
      const av = values(tf.util.sizeFromShape(c.a), 3);
      const bv = values(tf.util.sizeFromShape(c.b), 4);
      const biasv = values(n, 5);
      expectSameOnBackends(
        () =>
          tf.fused.matMul({
            a: tf.tensor(av, c.a) as unknown as tf.Tensor3D,
            b: tf.tensor(bv, c.b) as unknown as tf.Tensor3D,
            transposeA: c.ta,
            transposeB: c.tb,
            bias: c.bias ? tf.tensor1d(biasv) : undefined,
            activation: c.act,
          }),
        1e-5,
      );
    });

  it("gives a dense layer's gradients with bias and relu as cpu, and leaks nothing", async () => {
    const xv = values(6 * 8, 6);
    const wv = values(8 * 5, 7);
    const bv = values(5, 8);
    const f = () => {
      const [dx, dw, db] = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: "relu" }),
          ),
        ),
      )([tf.tensor2d(xv, [6, 8]), tf.tensor2d(wv, [8, 5]), tf.tensor1d(bv)]);
      return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1]), db!]);
    };
    expectSameOnBackends(f, 1e-5);
    await tf.setBackend("wasm");
    const x = tf.tensor2d(xv, [6, 8]);
    const w = tf.tensor2d(wv, [8, 5]);
    const b = tf.tensor1d(bv);
    expectNoLeak(() => tf.fused.matMul({ a: x, b: w, bias: b, activation: "relu" }));
    tf.dispose([x, w, b]);
  });
});

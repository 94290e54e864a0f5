import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import { batchNormScale } from "./fusedBatchNorm";

describe("FusedBatchNorm on wasm equals cpu", () => {
  beforeAll(initBackends);
  const cases: { shape: number[]; scale: boolean; offset: boolean }[] = [
    { shape: [2, 5, 3, 8], scale: true, offset: true },
    { shape: [2, 5, 3, 8], scale: false, offset: true },
    { shape: [2, 5, 3, 8], scale: true, offset: false },
    { shape: [6, 12], scale: true, offset: true },
    { shape: [2, 5, 3, 6], scale: true, offset: true }, // C = 6: native
  ];
  for (const c of cases) {
    it(`x [${c.shape}]${c.scale ? "" : " without scale"}${c.offset ? "" : " without offset"}`, () => {
      const ch = c.shape[c.shape.length - 1]!;
      const xv = values(tf.util.sizeFromShape(c.shape), 1);
      const mv = values(ch, 2);
      const vv = values(ch, 3).map((v) => v * v + 0.1);
      const sv = values(ch, 4);
      const ov = values(ch, 5);
      expectSameOnBackends(() =>
        tf.batchNorm(
          tf.tensor(xv, c.shape),
          tf.tensor1d(mv),
          tf.tensor1d(vv),
          c.offset ? tf.tensor1d(ov) : undefined,
          c.scale ? tf.tensor1d(sv) : undefined,
          1e-3,
        ),
      );
    });
  }

  for (const [shape, statShape, withScale] of [
    [[1, 4, 5, 7], [4, 5, 7], true], // tfjs-layers' LayerNormalization: every operand tiled, x with a leading 1
    [[3, 6], [3, 6], false], // same shapes, no scale or offset, 18 floats (a scalar tail)
  ] as const)
    it(`elementwise: x [${shape}], statistics [${statShape}]${withScale ? "" : " without scale and offset"}`, () => {
      const n = tf.util.sizeFromShape([...statShape]);
      const xv = values(n, 7);
      const mv = values(n, 8);
      const vv = values(n, 9).map((v) => v * v + 0.05);
      expectSameOnBackends(
        () =>
          tf.batchNorm(
            tf.tensor(xv, [...shape]),
            tf.tensor(mv, [...statShape]),
            tf.tensor(vv, [...statShape]),
            withScale ? tf.tensor(values(n, 10), [...statShape]) : undefined,
            withScale ? tf.tensor(values(n, 11), [...statShape]) : undefined,
            1e-5,
          ),
        1e-6,
      );
    });

  it("falls back to the native kernel for broadcast statistics [1, 1, 1, C]", () => {
    const xv = values(2 * 3 * 3 * 8, 6);
    expectSameOnBackends(() =>
      tf.batchNorm4d(
        tf.tensor4d(xv, [2, 3, 3, 8]),
        tf.fill([1, 1, 1, 8], 0.5) as tf.Tensor4D,
        tf.fill([1, 1, 1, 8], 2) as tf.Tensor4D,
      ),
    );
  });

  it("batchNormScale is gamma / sqrt(var + eps)", () => {
    expect([...batchNormScale(new Float32Array([3, 8]), new Float32Array([2, 1]), 1)]).toEqual([
      1,
      Math.fround(1 / 3),
    ]);
  });

  it("leaks no tensor", () => {
    const x = tf.tensor4d(values(2 * 2 * 2 * 8, 1), [2, 2, 2, 8]);
    const m = tf.tensor1d(values(8, 2));
    const v = tf.ones([8]) as tf.Tensor1D;
    expectNoLeak(() => tf.batchNorm(x, m, v, m, v));
    tf.dispose([x, m, v]);
  });
});

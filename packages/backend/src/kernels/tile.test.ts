import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import { tileInto } from "./tile";

describe("Tile on wasm equals cpu", () => {
  beforeAll(initBackends);
  const cases: { shape: number[]; reps: number[] }[] = [
    { shape: [1, 1, 1, 16], reps: [4, 5, 3, 1] },
    { shape: [2, 1, 3, 9], reps: [2, 3, 1, 2] },
    { shape: [3, 10], reps: [1, 1] },
    { shape: [12], reps: [5] },
    { shape: [2, 3], reps: [3, 4] },
    { shape: [4, 1], reps: [2, 7] },
    { shape: [2, 8], reps: [1, 0] },
    // innermost axis of 1 repeated >= 8 times: one fill per row (LayerNormalization's statistics)
    { shape: [5, 6, 1], reps: [1, 1, 9] },
    { shape: [3, 1], reps: [2, 8] },
    { shape: [2, 1, 1], reps: [1, 3, 10] },
    // only the innermost axis (of 1) repeats: the compiled broadcastColumns
    { shape: [4, 6, 1], reps: [1, 1, 64] },
    { shape: [7, 1], reps: [1, 11] },
  ];
  for (const c of cases) {
    it(`shape [${c.shape}] reps [${c.reps}]`, () => {
      const v = values(tf.util.sizeFromShape(c.shape), 21);
      expectSameOnBackends(() => tf.tile(tf.tensor(v, c.shape), c.reps), 0);
    });
  }

  it("keeps int32 and bool exact", () => {
    const i = runBoth(() => tf.tile(tf.tensor([[1, 2, 3, 4, 5, 6, 7, 8, 9]], [1, 9], "int32"), [3, 2]));
    expect(i).toBe(true);
    const b = runBoth(() =>
      tf.tile(tf.tensor([[true, false, true, true, false, true, true, false, true]], [1, 9], "bool"), [2, 1]),
    );
    expect(b).toBe(true);
  });

  it("tileInto writes the documented layout", () => {
    const out = new Float32Array(6);
    tileInto(new Float32Array([1, 2]), [1, 2], [3, 1], out);
    expect([...out]).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it("leaks no tensor", () => {
    const x = tf.tensor4d(values(16, 1), [1, 1, 1, 16]);
    expectNoLeak(() => tf.tile(x, [2, 3, 3, 1]));
    x.dispose();
  });
});

function runBoth(f: () => tf.Tensor): boolean {
  tf.setBackend("cpu");
  const a = f();
  const av = a.arraySync();
  a.dispose();
  tf.setBackend("wasm");
  const b = f();
  const bv = b.arraySync();
  b.dispose();
  return JSON.stringify(av) === JSON.stringify(bv);
}

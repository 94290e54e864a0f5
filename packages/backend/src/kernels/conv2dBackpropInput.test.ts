import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, initBackends, values } from "../../test/compareBackends";
import { convGridCases, STRIDES_ONLY } from "../../test/convGrid";
import { conv2dBackpropInput } from "./conv2dBackpropInput";

describe("Conv2DBackpropInput on wasm equals cpu", () => {
  beforeAll(initBackends);
  for (const c of convGridCases({ depthwise: false, strideDilation: STRIDES_ONLY }))
    it(c.title, () => {
      const dyv = values(tf.util.sizeFromShape(c.dyShape), 7);
      const wv = values(tf.util.sizeFromShape(c.filterShape), 8);
      expectSameOnBackends(
        () =>
          tf
            .engine()
            .runKernel(
              tf.Conv2DBackpropInput,
              { dy: tf.tensor(dyv, c.dyShape), filter: tf.tensor(wv, c.filterShape) },
              {
                strides: c.stride,
                pad: c.pad,
                dataFormat: "NHWC",
                dimRoundingMode: c.round,
                inputShape: c.x,
              } as unknown as tf.NamedAttrMap,
            ) as tf.Tensor,
      );
    });

  it("matches tf.grads of conv2d end to end (stride 2, same, odd input)", () => {
    const x = values(2 * 9 * 7 * 3, 3);
    const w = values(3 * 3 * 3 * 4, 4);
    expectSameOnBackends(() =>
      tf.grad((xt: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(xt as tf.Tensor4D, tf.tensor4d(w, [3, 3, 3, 4]), 2, "same"))),
      )(tf.tensor4d(x, [2, 9, 7, 3])),
    );
  });

  describe("non-overlapping patches (strides = filter size) as one product, equal to cpu", () => {
    const patchCases: {
      x: [number, number, number, number];
      k: [number, number];
      o: number;
      pad: "valid" | "same";
    }[] = [
      { x: [2, 8, 12, 3], k: [4, 4], o: 5, pad: "valid" },
      { x: [3, 6, 9, 2], k: [2, 3], o: 4, pad: "valid" },
      { x: [1, 6, 6, 4], k: [3, 3], o: 2, pad: "same" },
      { x: [2, 9, 8, 3], k: [4, 4], o: 5, pad: "valid" }, // 9 rows: the last one is in no patch (general path)
    ];
    for (const c of patchCases)
      it(`[${c.x}] with ${c.k[0]}x${c.k[1]} patches, ${c.pad}`, () => {
        const x = values(tf.util.sizeFromShape(c.x), 7);
        const w = values(c.k[0] * c.k[1] * c.x[3] * c.o, 8);
        expectSameOnBackends(() =>
          tf.grad((xt: tf.Tensor) =>
            tf.sum(
              tf.square(tf.conv2d(xt as tf.Tensor4D, tf.tensor4d(w, [...c.k, c.x[3], c.o]), c.k, c.pad)),
            ),
          )(tf.tensor4d(x, c.x)),
        );
      });

    it("leaks no tensor", () => {
      const dy = tf.tensor4d(values(2 * 2 * 3 * 5, 5), [2, 2, 3, 5]);
      const w = tf.tensor4d(values(4 * 4 * 3 * 5, 6), [4, 4, 3, 5]);
      expectNoLeak(() => conv2dBackpropInput([2, 8, 12, 3], dy, w, 4, "valid"));
      tf.dispose([dy, w]);
    });
  });

  it("leaks no tensor", () => {
    const dy = tf.tensor4d(values(2 * 4 * 4 * 4, 5), [2, 4, 4, 4]);
    const w = tf.tensor4d(values(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
    expectNoLeak(() => conv2dBackpropInput([2, 8, 8, 3], dy, w, 2, "same"));
    expectNoLeak(
      () =>
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropInput,
            { dy, filter: w },
            { strides: 2, pad: "same", dataFormat: "NHWC", inputShape: [2, 8, 8, 3] },
          ) as tf.Tensor,
    );
    tf.dispose([dy, w]);
  });

  it("rejects NCHW with a clear error", () => {
    const dy = tf.zeros([1, 4, 8, 8]) as tf.Tensor4D;
    const w = tf.zeros([3, 3, 3, 4]) as tf.Tensor4D;
    expect(() => conv2dBackpropInput([1, 3, 8, 8], dy, w, 1, "same", undefined, "NCHW")).toThrow(
      /dataFormat 'NCHW' is not supported.*NHWC/,
    );
    tf.dispose([dy, w]);
  });
});

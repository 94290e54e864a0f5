import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectNoLeak,
  expectSameOnBackends,
  expectWasmEquals,
  initBackends,
  runOn,
  values,
} from "../../test/compareBackends";
import { type ConvGridCase, convGridCases, STRIDES_ONLY } from "../../test/convGrid";
import { convGeometry } from "../internal/convGeometry";
import { conv2dBackpropFilter } from "./conv2dBackpropFilter";
import { IM2COL_CHUNK_BYTES, im2colFilterGradient } from "./im2colFilterGradient";

/** The `Conv2DBackpropFilter` kernel of the active backend on one grid case. */
function filterGradientKernel(c: ConvGridCase, xv: Float32Array, dyv: Float32Array): tf.Tensor {
  return tf
    .engine()
    .runKernel(tf.Conv2DBackpropFilter, { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, c.dyShape) }, {
      strides: c.stride,
      pad: c.pad,
      dataFormat: "NHWC",
      dimRoundingMode: c.round,
      filterShape: c.filterShape,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

describe("Conv2DBackpropFilter on wasm equals cpu", () => {
  beforeAll(initBackends);
  for (const c of convGridCases({ depthwise: false, strideDilation: STRIDES_ONLY }))
    it(c.title, () => {
      const xv = values(tf.util.sizeFromShape(c.x), 1);
      const dyv = values(tf.util.sizeFromShape(c.dyShape), 2);
      expectSameOnBackends(() => filterGradientKernel(c, xv, dyv));
    });

  describe("the im2col path (fallback of the direct kernel), whole batch and in chunks of one image (bounded colsT), equal to cpu", () => {
    for (const c of convGridCases({ depthwise: false, strideDilation: STRIDES_ONLY }))
      for (const chunk of c.x[0] > 1 ? [IM2COL_CHUNK_BYTES, 1] : [IM2COL_CHUNK_BYTES])
        it(`${c.title}, ${chunk === 1 ? "one image a chunk" : "one chunk"}`, () => {
          const xv = values(tf.util.sizeFromShape(c.x), 1);
          const dyv = values(tf.util.sizeFromShape(c.dyShape), 2);
          const kernel = () => filterGradientKernel(c, xv, dyv);
          const ref = runOn("cpu", kernel).data;
          const g = convGeometry({
            kernelName: "test",
            xShape: c.x,
            filterShape: c.filterShape,
            strides: c.stride,
            pad: c.pad,
            dimRoundingMode: c.round,
            depthwise: false,
          });
          // 1 byte per chunk: one image per chunk, the products summed over B chunks
          expectWasmEquals(
            () =>
              tf.tidy(
                () =>
                  im2colFilterGradient(
                    tf.backend(),
                    tf.tensor4d(xv, c.x),
                    tf.tensor4d(dyv, c.dyShape),
                    g,
                    c.filterShape[3],
                    chunk,
                  )!,
              ),
            ref,
          );
        });

    it("leaks no tensor and frees its chunks", () => {
      const x = tf.tensor4d(values(3 * 8 * 8 * 4, 5), [3, 8, 8, 4]);
      const dy = tf.tensor4d(values(3 * 8 * 8 * 6, 6), [3, 8, 8, 6]);
      const g = convGeometry({
        kernelName: "test",
        xShape: x.shape,
        filterShape: [3, 3, 4, 6],
        strides: 1,
        pad: "same",
        depthwise: false,
      });
      expectNoLeak(() => im2colFilterGradient(tf.backend(), x, dy, g, 6, 1)!);
      tf.dispose([x, dy]);
    });
  });

  it("matches tf.grads of conv2d end to end (stride 2, same)", () => {
    const x = values(2 * 9 * 9 * 3, 3);
    const w = values(3 * 3 * 3 * 4, 4);
    expectSameOnBackends(() => {
      const wt = tf.tensor4d(w, [3, 3, 3, 4]);
      return tf.grad((f: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, [2, 9, 9, 3]), f as tf.Tensor4D, 2, "same"))),
      )(wt);
    });
  });

  it("the forward-convolution form (fallback without SIMD) equals cpu", () => {
    const x = values(2 * 9 * 7 * 4, 7);
    const dy = values(2 * 5 * 4 * 6, 8);
    expectSameOnBackends(() =>
      conv2dBackpropFilter(
        tf.tensor4d(x, [2, 9, 7, 4]),
        tf.tensor4d(dy, [2, 5, 4, 6]),
        [3, 3, 4, 6],
        2,
        "same",
      ),
    );
  });

  it("leaks no tensor", () => {
    const x = tf.tensor4d(values(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
    const dy = tf.tensor4d(values(2 * 4 * 4 * 4, 6), [2, 4, 4, 4]);
    expectNoLeak(() => conv2dBackpropFilter(x, dy, [3, 3, 3, 4], 2, "same"));
    expectNoLeak(
      () =>
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x, dy },
            { strides: 2, pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 3, 4] },
          ) as tf.Tensor,
    );
    tf.dispose([x, dy]);
  });

  it("rejects NCHW with a clear error", () => {
    const x = tf.zeros([1, 3, 8, 8]) as tf.Tensor4D;
    const dy = tf.zeros([1, 4, 8, 8]) as tf.Tensor4D;
    expect(() => conv2dBackpropFilter(x, dy, [3, 3, 3, 4], 1, "same", undefined, "NCHW")).toThrow(
      /dataFormat 'NCHW' is not supported.*NHWC/,
    );
    tf.dispose([x, dy]);
  });
});

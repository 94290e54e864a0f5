import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectNoLeak,
  expectSameOnBackends,
  expectWasmEquals,
  initBackends,
  linearVjpOnCpu,
  values,
} from "../../test/compareBackends";
import { convGridCases } from "../../test/convGrid";
import { depthwiseConv2dNativeBackpropFilter } from "./depthwiseConv2dNativeBackpropFilter";

describe("DepthwiseConv2dNativeBackpropFilter on wasm equals cpu", () => {
  beforeAll(initBackends);
  for (const c of convGridCases({ depthwise: true }))
    it(c.title, () => {
      const xv = values(tf.util.sizeFromShape(c.x), 11);
      const dyv = values(tf.util.sizeFromShape(c.dyShape), 12);
      const run = () =>
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropFilter,
            { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, c.dyShape) },
            {
              strides: c.stride,
              dilations: c.dilation,
              pad: c.pad,
              dimRoundingMode: c.round,
              filterShape: c.filterShape,
            } as unknown as tf.NamedAttrMap,
          ) as tf.Tensor;
      if (c.dilation === 1) {
        expectSameOnBackends(run);
      } else {
        // cpu's backprop kernels are wrong for dilation > 1 (tfjs 4.22): use the exact
        // vector-Jacobian product of cpu's (correct) forward op instead.
        const forward = (w: tf.Tensor) =>
          tf.depthwiseConv2d(
            tf.tensor(xv, c.x) as tf.Tensor4D,
            w as tf.Tensor4D,
            c.stride,
            c.pad,
            "NHWC",
            c.dilation,
            c.round,
          );
        expectWasmEquals(run, linearVjpOnCpu(forward, c.filterShape, dyv));
      }
    });

  it("leaks no tensor", () => {
    const x = tf.tensor4d(values(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
    const dy = tf.tensor4d(values(2 * 4 * 4 * 6, 6), [2, 4, 4, 6]);
    expectNoLeak(() => depthwiseConv2dNativeBackpropFilter(x, dy, [3, 3, 3, 2], 2, "same"));
    tf.dispose([x, dy]);
  });

  it("rejects strides and dilations both > 1, and NCHW, with clear errors", () => {
    const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    const dy = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => depthwiseConv2dNativeBackpropFilter(x, dy, [3, 3, 3, 1], 2, "same", 2)).toThrow(
      /strides \[2,2\] and dilations \[2,2\].*Use strides 1 or dilations 1/,
    );
    expect(() =>
      tf
        .engine()
        .runKernel(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x, dy },
          { strides: 2, dilations: 1, pad: "same", filterShape: [3, 3, 3, 1], dataFormat: "NCHW" },
        ),
    ).toThrow(/dataFormat 'NCHW' is not supported/);
    tf.dispose([x, dy]);
  });
});

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
import { depthwiseConv2dNativeBackpropInput } from "./depthwiseConv2dNativeBackpropInput";

describe("DepthwiseConv2dNativeBackpropInput on wasm equals cpu", () => {
  beforeAll(initBackends);
  for (const c of convGridCases({ depthwise: true }))
    it(c.title, () => {
      const dyv = values(tf.util.sizeFromShape(c.dyShape), 13);
      const wv = values(tf.util.sizeFromShape(c.filterShape), 14);
      const run = () =>
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropInput,
            { dy: tf.tensor(dyv, c.dyShape), filter: tf.tensor(wv, c.filterShape) },
            {
              strides: c.stride,
              dilations: c.dilation,
              pad: c.pad,
              dimRoundingMode: c.round,
              inputShape: c.x,
            } as unknown as tf.NamedAttrMap,
          ) as tf.Tensor;
      if (c.dilation === 1) {
        expectSameOnBackends(run);
      } else {
        // cpu's backprop kernels are wrong for dilation > 1 (tfjs 4.22): use the exact
        // vector-Jacobian product of cpu's (correct) forward op instead.
        const forward = (x: tf.Tensor) =>
          tf.depthwiseConv2d(
            x as tf.Tensor4D,
            tf.tensor(wv, c.filterShape) as tf.Tensor4D,
            c.stride,
            c.pad,
            "NHWC",
            c.dilation,
            c.round,
          );
        expectWasmEquals(run, linearVjpOnCpu(forward, c.x, dyv));
      }
    });

  it("matches tf.grads of depthwiseConv2d end to end", () => {
    const x = values(2 * 9 * 7 * 3, 3);
    const w = values(3 * 3 * 3 * 2, 4);
    expectSameOnBackends(() => {
      const [dx, dw] = tf.grads((xt: tf.Tensor, wt: tf.Tensor) =>
        tf.sum(tf.square(tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 2, "same"))),
      )([tf.tensor4d(x, [2, 9, 7, 3]), tf.tensor4d(w, [3, 3, 3, 2])]);
      return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
    });
  });

  it("leaks no tensor", () => {
    const dy = tf.tensor4d(values(2 * 4 * 4 * 6, 5), [2, 4, 4, 6]);
    const w = tf.tensor4d(values(3 * 3 * 3 * 2, 6), [3, 3, 3, 2]);
    expectNoLeak(() => depthwiseConv2dNativeBackpropInput([2, 8, 8, 3], dy, w, 2, "same"));
    tf.dispose([dy, w]);
  });

  it("rejects NCHW with a clear error", () => {
    const dy = tf.zeros([1, 4, 4, 3]);
    const w = tf.zeros([3, 3, 3, 1]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          tf.DepthwiseConv2dNativeBackpropInput,
          { dy, filter: w },
          { strides: 2, dilations: 1, pad: "same", inputShape: [1, 8, 8, 3], dataFormat: "NCHW" },
        ),
    ).toThrow(/dataFormat 'NCHW' is not supported/);
    tf.dispose([dy, w]);
  });
});

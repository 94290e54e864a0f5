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
import { CONV_PADS, CONV_SHAPES, STRIDE_DILATION } from "../../test/convGrid";
import { depthwiseConv2dNativeBackpropFilter } from "./depthwiseConv2dNativeBackpropFilter";

describe("DepthwiseConv2dNativeBackpropFilter on wasm equals cpu", () => {
  beforeAll(initBackends);
  for (const s of CONV_SHAPES)
    for (const p of CONV_PADS)
      for (const { stride, dilation } of STRIDE_DILATION)
        for (const multiplier of [1, 2]) {
          const filterShape: [number, number, number, number] = [s.k[0], s.k[1], s.x[3], multiplier];
          const info = tf.backend_util.computeConv2DInfo(
            s.x,
            filterShape,
            stride,
            dilation,
            p.pad,
            p.round,
            true,
          );
          if (info.outHeight <= 0 || info.outWidth <= 0) continue; // empty output: no gradient to check
          it(`${s.name}, pad ${p.name}, stride ${stride}, dilation ${dilation}, multiplier ${multiplier}`, () => {
            const dyShape = [s.x[0], info.outHeight, info.outWidth, s.x[3] * multiplier];
            const xv = values(tf.util.sizeFromShape(s.x), 11);
            const dyv = values(tf.util.sizeFromShape(dyShape), 12);
            const run = () =>
              tf
                .engine()
                .runKernel(
                  tf.DepthwiseConv2dNativeBackpropFilter,
                  { x: tf.tensor(xv, s.x), dy: tf.tensor(dyv, dyShape) },
                  {
                    strides: stride,
                    dilations: dilation,
                    pad: p.pad,
                    dimRoundingMode: p.round,
                    filterShape,
                  } as unknown as tf.NamedAttrMap,
                ) as tf.Tensor;
            if (dilation === 1) {
              expectSameOnBackends(run);
            } else {
              // cpu's backprop kernels are wrong for dilation > 1 (tfjs 4.22): use the exact
              // vector-Jacobian product of cpu's (correct) forward op instead.
              const ref = linearVjpOnCpu(
                (w) =>
                  tf.depthwiseConv2d(
                    tf.tensor(xv, s.x) as tf.Tensor4D,
                    w as tf.Tensor4D,
                    stride,
                    p.pad,
                    "NHWC",
                    dilation,
                    p.round,
                  ),
                filterShape,
                dyv,
              );
              expectWasmEquals(run, ref);
            }
          });
        }

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

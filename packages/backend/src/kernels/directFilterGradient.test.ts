import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, initBackends, values } from "../../test/compareBackends";
import { convGridCases, STRIDES_ONLY } from "../../test/convGrid";
import { expectDirectEqualsCpu, WIDE_CASES } from "../../test/directConvCases";
import { convGeometry } from "../internal/convGeometry";
import { convKernelModuleFor } from "../internal/convKernels";
import { CONV_KERNELS_WASM } from "../internal/convKernelsWasm";
import { heapOffset } from "../internal/simdKernels";
import { directFilterGradient } from "./directFilterGradient";

describe("directFilterGradient (compiled wasm SIMD) equals cpu, one thread", () => {
  beforeAll(initBackends);

  it("the embedded module bytes match their recorded SHA-256", () => {
    for (const v of [CONV_KERNELS_WASM.plain, CONV_KERNELS_WASM.shared]) {
      expect(createHash("sha256").update(Buffer.from(v.base64, "base64")).digest("hex")).toBe(v.sha256);
    }
  });

  it("loads on the wasm backend (unshared memory) and not on cpu", () => {
    expect(convKernelModuleFor(tf.backend())?.shared).toBe(false);
    expect(convKernelModuleFor(tf.findBackend("cpu"))).toBeUndefined();
  });

  for (const c of convGridCases({ depthwise: false, strideDilation: STRIDES_ONLY }))
    it(c.title, () => expectDirectEqualsCpu(c.x, c.filterShape, c.stride, c.pad, c.round, "never"));

  for (const { x, filterShape } of WIDE_CASES)
    for (const stride of [1, 2])
      for (const pad of ["same", "valid"] as const)
        it(`wide ${x.join("x")} -> ${filterShape[3]}, stride ${stride}, ${pad}`, () =>
          expectDirectEqualsCpu(x, filterShape, stride, pad, undefined, "never"));

  it("leaks no tensor and no heap bytes", () => {
    const x = tf.tensor4d(values(3 * 8 * 8 * 12, 5), [3, 8, 8, 12]);
    const dy = tf.tensor4d(values(3 * 8 * 8 * 9, 6), [3, 8, 8, 9]);
    const g = convGeometry({
      kernelName: "test",
      xShape: x.shape,
      filterShape: [3, 3, 12, 9],
      strides: 1,
      pad: "same",
      depthwise: false,
    });
    const probe = () => {
      const t = tf.zeros([3, 3, 12, 9]);
      const at = heapOffset(tf.backend(), t);
      t.dispose();
      return at;
    };
    const before = probe();
    expectNoLeak(() => directFilterGradient(tf.backend(), x, dy, g, 9)!);
    expect(probe()).toBe(before);
    tf.dispose([x, dy]);
  });
});

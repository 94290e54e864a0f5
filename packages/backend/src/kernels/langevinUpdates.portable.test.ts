import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { initBackends, runOn, values } from "../../test/compareBackends";
import { convKernelModuleFor } from "../internal/convKernels";
import {
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
  UNDERDAMPED_LANGEVIN_UPDATE,
} from "./langevinUpdates";

// A wasm build without SIMD, where the compiled module does not load: the kernels' JavaScript
// loops over the heap, which must give the same numbers.
vi.mock("../internal/convKernels", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../internal/convKernels")>()),
  convKernelModuleFor: () => undefined,
}));

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const [KICK, HALF, C, DECAY] = [0.1, 0.05, Math.exp(-0.1), Math.exp(-0.05 * 0.37)];
const N = 1027;
const inputs = () => ({
  w: tf.tensor1d(values(N, 1)),
  p: tf.tensor1d(values(N, 2).map((v) => v * 0.1)),
  g: tf.tensor1d(values(N, 3).map((v) => v * 3)),
  r: tf.tensor1d(values(N, 4).map((v) => v * 0.01)),
});

describe("the Langevin update kernels without the compiled module", () => {
  beforeAll(initBackends);

  it("run their JavaScript loops, equal to the tfjs composition on cpu bit for bit", () => {
    expect(convKernelModuleFor(tf.backend())).toBeUndefined();
    const cases: [string, () => tf.Tensor, () => tf.Tensor][] = [
      [
        "BAOAB",
        () => {
          const t = inputs();
          const out = tf
            .engine()
            .runKernel(UNDERDAMPED_LANGEVIN_UPDATE, t, { order: "BAOAB", kick: KICK, c: C, half: HALF });
          return (out as tf.Tensor[])[0]!;
        },
        () => {
          const t = inputs();
          const p1 = tf.sub(t.p, tf.mul(t.g, KICK));
          return tf.add(t.w, tf.mul(tf.add(p1, tf.add(tf.mul(p1, C), t.r)), HALF));
        },
      ],
      [
        "OBA",
        () => {
          const out = tf
            .engine()
            .runKernel(UNDERDAMPED_LANGEVIN_UPDATE, inputs(), { order: "OBA", h: KICK, c: C });
          return (out as tf.Tensor[])[1]!;
        },
        () => {
          const t = inputs();
          return tf.sub(tf.add(tf.mul(t.p, C), t.r), tf.mul(t.g, KICK));
        },
      ],
      [
        "adaptive",
        () => {
          const t = inputs();
          const decay = tf.scalar(DECAY);
          const pm = tf
            .engine()
            .runKernel(ADAPTIVE_LANGEVIN_FIRST_HALF, { p: t.p, g: t.g, r: t.r, decay }, { kick: KICK });
          const out = tf
            .engine()
            .runKernel(
              ADAPTIVE_LANGEVIN_SECOND_HALF,
              { w: t.w, p: t.p, g: t.g, pm: pm as tf.Tensor, r: t.r, decay },
              { kick: KICK, half: HALF },
            );
          return (out as tf.Tensor[])[0]!;
        },
        () => {
          const t = inputs();
          const decay = tf.scalar(DECAY);
          const p1 = tf.sub(t.p, tf.mul(t.g, KICK));
          const p = tf.mul(tf.add(tf.add(tf.mul(p1, decay), t.r), t.r), decay);
          return tf.add(t.w, tf.mul(tf.add(p1, p), HALF));
        },
      ],
    ];
    for (const [name, kernel, reference] of cases) {
      const got = runOn("wasm", () => tf.tidy(kernel)).data;
      expect(bits(got), name).toEqual(bits(runOn("cpu", () => tf.tidy(reference)).data));
    }
  });
});

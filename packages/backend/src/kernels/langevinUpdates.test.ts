import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, initBackends, runOn, values } from "../../test/compareBackends";
import { convKernelModuleFor } from "../internal/convKernels";
import {
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
  UNDERDAMPED_LANGEVIN_UPDATE,
} from "./langevinUpdates";

// every path: the 4-float vectors, the scalar tail, and both together
const SIZES = [1, 3, 4, 5, 8, 13, 1000, 1027];
// coefficients that round when made float32, as a real step's do (h = 0.1, c = exp(-0.1))
const KICK = 0.1;
const HALF = 0.05;
const C = Math.exp(-0.1);
const DECAY = Math.exp(-0.05 * 0.37);

/** The inputs of one tensor: w, p, g and two draws, in [-1, 1) scaled like a step's. */
function tensorsOf(n: number, shape: number[] = [n]) {
  const scaled = (seed: number, scale: number) =>
    tf.tensor(
      values(n, seed).map((v) => v * scale),
      shape,
    );
  return { w: scaled(1, 1), p: scaled(2, 0.1), g: scaled(3, 3), r: scaled(4, 0.01), r2: scaled(5, 0.01) };
}

/** Bit patterns, so that equality means bit for bit (and -0 differs from +0). */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** The tfjs composition each kernel stands for, exactly as @sam/langevin writes it. */
const composition = {
  baoab(t: ReturnType<typeof tensorsOf>) {
    const p1 = tf.sub(t.p, tf.mul(t.g, KICK));
    const p2 = tf.add(tf.mul(p1, C), t.r);
    return [tf.add(t.w, tf.mul(tf.add(p1, p2), HALF)), p2];
  },
  oba(t: ReturnType<typeof tensorsOf>) {
    const p2 = tf.sub(tf.add(tf.mul(t.p, C), t.r), tf.mul(t.g, KICK));
    return [tf.add(t.w, tf.mul(p2, KICK)), p2];
  },
  firstHalf(t: ReturnType<typeof tensorsOf>) {
    return [tf.add(tf.mul(tf.sub(t.p, tf.mul(t.g, KICK)), tf.scalar(DECAY)), t.r)];
  },
  secondHalf(t: ReturnType<typeof tensorsOf>) {
    const p1 = tf.sub(t.p, tf.mul(t.g, KICK));
    const pm = composition.firstHalf(t)[0]!;
    const p = tf.mul(tf.add(pm, t.r2), tf.scalar(DECAY));
    return [tf.add(t.w, tf.mul(tf.add(p1, p), HALF)), p];
  },
};

/** The kernel for each composition. */
const fused = {
  baoab: (t: ReturnType<typeof tensorsOf>) =>
    tf
      .engine()
      .runKernel(
        UNDERDAMPED_LANGEVIN_UPDATE,
        { w: t.w, p: t.p, g: t.g, r: t.r },
        { order: "BAOAB", kick: KICK, c: C, half: HALF },
      ) as tf.Tensor[],
  oba: (t: ReturnType<typeof tensorsOf>) =>
    tf
      .engine()
      .runKernel(
        UNDERDAMPED_LANGEVIN_UPDATE,
        { w: t.w, p: t.p, g: t.g, r: t.r },
        { order: "OBA", h: KICK, c: C },
      ) as tf.Tensor[],
  firstHalf: (t: ReturnType<typeof tensorsOf>) => [
    tf
      .engine()
      .runKernel(
        ADAPTIVE_LANGEVIN_FIRST_HALF,
        { p: t.p, g: t.g, r: t.r, decay: tf.scalar(DECAY) },
        { kick: KICK },
      ) as tf.Tensor,
  ],
  secondHalf: (t: ReturnType<typeof tensorsOf>) => {
    const pm = fused.firstHalf(t)[0]!;
    return tf
      .engine()
      .runKernel(
        ADAPTIVE_LANGEVIN_SECOND_HALF,
        { w: t.w, p: t.p, g: t.g, pm, r: t.r2, decay: tf.scalar(DECAY) },
        { kick: KICK, half: HALF },
      ) as tf.Tensor[];
  },
};

type Which = keyof typeof fused;
const WHICH: Which[] = ["baoab", "oba", "firstHalf", "secondHalf"];

/** Output `k` of `f` on `backend` for a tensor of `n` entries (shape `shape`). */
function outputOn(
  backend: "cpu" | "wasm",
  f: (t: ReturnType<typeof tensorsOf>) => tf.Tensor[],
  n: number,
  k: number,
  shape?: number[],
) {
  return runOn(backend, () => tf.tidy(() => f(tensorsOf(n, shape))[k]!)).data;
}

describe("the Langevin update kernels on wasm", () => {
  beforeAll(initBackends);

  it("are registered on wasm, on the compiled path", () => {
    for (const name of [
      UNDERDAMPED_LANGEVIN_UPDATE,
      ADAPTIVE_LANGEVIN_FIRST_HALF,
      ADAPTIVE_LANGEVIN_SECOND_HALF,
    ]) {
      expect(tf.getKernel(name, "wasm"), name).toBeDefined();
    }
    expect(convKernelModuleFor(tf.backend())?.kernels.underdampedBaoab).toBeTypeOf("function");
  });

  for (const which of WHICH) {
    it(`${which}: the tfjs composition bit for bit, on wasm and on cpu, at every size`, () => {
      const outputs = which === "firstHalf" ? 1 : 2;
      for (const n of SIZES) {
        for (let k = 0; k < outputs; k++) {
          const kernel = bits(outputOn("wasm", fused[which], n, k));
          expect(kernel, `${which} output ${k}, size ${n}, wasm composition`).toEqual(
            bits(outputOn("wasm", composition[which], n, k)),
          );
          expect(kernel, `${which} output ${k}, size ${n}, cpu composition`).toEqual(
            bits(outputOn("cpu", composition[which], n, k)),
          );
        }
      }
    });
  }

  it("keeps the parameter's shape (a conv kernel [3, 3, 4, 8])", () => {
    const [w, p] = tf.tidy(() => fused.baoab(tensorsOf(288, [3, 3, 4, 8])));
    expect(w!.shape).toEqual([3, 3, 4, 8]);
    expect(p!.shape).toEqual([3, 3, 4, 8]);
    expect(bits(w!.dataSync() as Float32Array)).toEqual(
      bits(outputOn("cpu", composition.baoab, 288, 0, [3, 3, 4, 8])),
    );
    tf.dispose([w!, p!]);
  });

  it("hand-derived: BAOAB with w = 1, p = 0.5, g = 2, r = 0.25, kick = 0.5, c = 0.5, half = 0.25", () => {
    // p1 = 0.5 - 2 * 0.5 = -0.5;  p2 = -0.5 * 0.5 + 0.25 = 0;  w' = 1 + (-0.5 + 0) * 0.25 = 0.875
    const [w, p] = tf.tidy(() =>
      tf
        .engine()
        .runKernel(
          UNDERDAMPED_LANGEVIN_UPDATE,
          { w: tf.tensor1d([1]), p: tf.tensor1d([0.5]), g: tf.tensor1d([2]), r: tf.tensor1d([0.25]) },
          { order: "BAOAB", kick: 0.5, c: 0.5, half: 0.25 },
        ),
    ) as tf.Tensor[];
    expect(Array.from(w!.dataSync())).toEqual([0.875]);
    expect(Array.from(p!.dataSync())).toEqual([0]);
    tf.dispose([w!, p!]);
  });

  it("passes inf and NaN through as tfjs does (the step's finite check then rejects it)", () => {
    const out = tf.tidy(() => {
      const w = tf.tensor1d([1, 1, 1, 1, 1]);
      const g = tf.tensor1d([Number.NaN, Number.POSITIVE_INFINITY, 0, 0, 0]);
      const zeros = tf.zeros([5]);
      return (
        tf
          .engine()
          .runKernel(
            UNDERDAMPED_LANGEVIN_UPDATE,
            { w, p: zeros, g, r: zeros },
            { order: "BAOAB", kick: KICK, c: C, half: HALF },
          ) as tf.Tensor[]
      )[0]!;
    });
    const v = out.dataSync();
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(Array.from(v.slice(2))).toEqual([1, 1, 1]);
    out.dispose();
  });

  it("refuses inputs of another size or dtype, a missing input, a bad order or attribute, naming it", () => {
    const run = (inputs: () => Record<string, tf.Tensor>, attrs: Record<string, unknown>) =>
      tf.tidy(() => {
        tf.engine().runKernel(UNDERDAMPED_LANGEVIN_UPDATE, inputs(), attrs as tf.NamedAttrMap);
      });
    const ok = { order: "BAOAB", kick: KICK, c: C, half: HALF };
    const before = tf.memory().numTensors;
    const [w, p, g, r] = [tf.ones([4]), tf.zeros([4]), tf.ones([4]), tf.zeros([4])];
    expect(() => run(() => ({ w, p, g, r: tf.zeros([5]) }), ok)).toThrow(
      /input 'r' has shape \[5\], 'w' \[4\]/,
    );
    expect(() => run(() => ({ w, p, g: tf.ones([4], "int32"), r }), ok)).toThrow(/input 'g' is int32/);
    expect(() => run(() => ({ w, p, g }), ok)).toThrow(/input 'r' is missing/);
    expect(() => run(() => ({ w, p, g, r }), { ...ok, order: "ABO" })).toThrow(
      /'order' is ABO; it must be 'BAOAB' or 'OBA'/,
    );
    expect(() => run(() => ({ w, p, g, r }), { ...ok, kick: Number.NaN })).toThrow(/attribute 'kick' is NaN/);
    expect(() => run(() => ({ w, p, g, r }), { order: "OBA", c: C })).toThrow(/attribute 'h' is undefined/);
    expect(() =>
      tf.tidy(() => {
        tf.engine().runKernel(ADAPTIVE_LANGEVIN_FIRST_HALF, { p, g, r, decay: tf.ones([2]) }, { kick: KICK });
      }),
    ).toThrow(/input 'decay' has shape \[2\]; it must hold one number/);
    tf.dispose([w, p, g, r]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("leak nothing", () => {
    for (const which of WHICH) expectNoLeak(() => tf.tidy(() => fused[which](tensorsOf(1027))));
  });
});

import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, initBackends, relativeError, runOn, values } from "../test/compareBackends";
import {
  registerTrainingGradients,
  TRAINING_GRADIENTS,
  unregisterTrainingGradients,
} from "./registerTrainingGradients";

/** Concatenated gradients of `f` with respect to all of `shapes`, evaluated at fixed values. */
function gradsOf(f: (...ts: tf.Tensor[]) => tf.Tensor, shapes: number[][], seed: number): () => tf.Tensor {
  return () =>
    tf.tidy(() => {
      const inputs = shapes.map((s, i) => tf.tensor(values(tf.util.sizeFromShape(s), seed + i), s));
      const gs = tf.grads((...ts: tf.Tensor[]) =>
        tf.sum(tf.mul(f(...ts), tf.sin(tf.range(0, f(...ts).size).reshape(f(...ts).shape)))),
      )(inputs);
      return tf.concat(gs.map((g) => g.flatten()));
    });
}

/** Runs `g` with tfjs-core's gradients and with this package's, on `backend`. */
function bothGradients(g: () => tf.Tensor, backend: "cpu" | "wasm") {
  unregisterTrainingGradients();
  const original = runOn(backend, g);
  registerTrainingGradients();
  const ours = runOn(backend, g);
  return { original, ours };
}

const positive = (v: tf.Tensor) => tf.add(tf.square(v), 0.2);

const graphs: { name: string; f: (...ts: tf.Tensor[]) => tf.Tensor; shapes: number[][] }[] = [
  {
    name: "batch norm with batch statistics (tf.moments, as tfjs-layers' BatchNormalization)",
    f: (x, gamma, beta) => {
      const { mean, variance } = tf.moments(x!, [0, 1, 2]);
      return tf.batchNorm4d(
        x as tf.Tensor4D,
        mean as tf.Tensor1D,
        variance as tf.Tensor1D,
        beta as tf.Tensor1D,
        gamma as tf.Tensor1D,
        1e-3,
      );
    },
    shapes: [[3, 4, 5, 8], [8], [8]],
  },
  {
    name: "batch norm with given statistics, all five inputs",
    f: (x, m, v, gamma, beta) =>
      tf.batchNorm(
        x!,
        m as tf.Tensor1D,
        positive(v!) as tf.Tensor1D,
        beta as tf.Tensor1D,
        gamma as tf.Tensor1D,
        0.01,
      ),
    shapes: [[2, 3, 6], [6], [6], [6], [6]],
  },
  { name: "sum over axes 0, 2 keepDims", f: (x) => tf.sum(x!, [0, 2], true), shapes: [[3, 4, 5]] },
  { name: "sum of everything", f: (x) => tf.sum(x!), shapes: [[3, 4]] },
  { name: "mean over axis 1", f: (x) => tf.mean(x!, 1), shapes: [[3, 4, 5]] },
  { name: "mean of everything", f: (x) => tf.mean(x!), shapes: [[6, 2]] },
];

describe("registerTrainingGradients", () => {
  beforeAll(async () => {
    await initBackends();
    registerTrainingGradients();
  });
  afterAll(() => registerTrainingGradients());

  for (const graph of graphs) {
    it(`equals tfjs-core's gradient on cpu and on wasm: ${graph.name}`, () => {
      const g = gradsOf(graph.f, graph.shapes, 17);
      const cpu = bothGradients(g, "cpu");
      expect(cpu.ours.shape).toEqual(cpu.original.shape);
      expect(relativeError(cpu.ours.data, cpu.original.data)).toBeLessThan(1e-5);
      const wasm = bothGradients(g, "wasm");
      expect(relativeError(wasm.ours.data, cpu.original.data)).toBeLessThan(1e-4);
    });
  }

  // Not compared: batchNorm without scale or offset (tfjs-core 4.22's tape records the absent
  // inputs as undefined and cannot differentiate it at all), and statistics of x's rank (our
  // gradient hands those to tfjs-core's, which fails on them with a reshape error in 4.22).

  it("is idempotent and reversible", () => {
    expect(registerTrainingGradients()).toEqual([]);
    const ours = tf.getGradient("FusedBatchNorm");
    unregisterTrainingGradients();
    expect(tf.getGradient("FusedBatchNorm")).not.toBe(ours);
    expect(registerTrainingGradients()).toEqual([...TRAINING_GRADIENTS]);
  });

  it("leaks no tensor", () => {
    const g = gradsOf(graphs[0]!.f, graphs[0]!.shapes, 3);
    expectNoLeak(g);
  });
});

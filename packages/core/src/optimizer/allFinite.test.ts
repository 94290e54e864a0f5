import * as tf from "@tensorflow/tfjs";
import { expectNoLeak } from "@sam/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fromVariables } from "../params/fromVariables";
import { sgd } from "../rules/sgd";
import { ALL_FINITE_KERNEL, allFinite } from "./allFinite";
import { GroupedOptimizer } from "./groupedOptimizer";
import { NonFiniteStepError } from "./nonFiniteStepError";

const read = (t: tf.Tensor) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v === 1;
};

describe("allFinite", () => {
  it("is true when every entry of every tensor is finite, false for one inf or NaN anywhere", () => {
    const ok = [tf.scalar(1), tf.tensor([3.4e38, -3.4e38, 1e-45, -0]), tf.zeros([0])];
    expect(read(allFinite(ok))).toBe(true);
    expect(read(allFinite([]))).toBe(true);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(read(allFinite([...ok, tf.tensor([0, 1, bad])])), String(bad)).toBe(false);
      expect(read(allFinite([tf.scalar(bad), ...ok])), String(bad)).toBe(false);
    }
  });

  it("leaks no tensor", async () => {
    const xs = [tf.scalar(1), tf.tensor([1, Number.NaN])];
    await expectNoLeak(() => allFinite(xs));
    tf.dispose(xs);
  });
});

describe(`allFinite with a backend's ${ALL_FINITE_KERNEL} kernel`, () => {
  const calls: number[] = [];
  let backend = "";
  beforeAll(async () => {
    await tf.ready();
    backend = tf.getBackend();
  });
  afterEach(() => {
    tf.unregisterKernel(ALL_FINITE_KERNEL, backend);
    calls.length = 0;
  });
  /** A stand-in kernel that records how many inputs it got and answers `verdict`. */
  const register = (verdict: boolean) =>
    tf.registerKernel({
      kernelName: ALL_FINITE_KERNEL,
      backendName: backend,
      kernelFunc: ({ inputs, backend: be }) => {
        calls.push(Object.keys(inputs).length);
        const out = tf.scalar(verdict, "bool");
        const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
        tf.engine().incRef(out, be as tf.KernelBackend); // keep the data when the scalar is disposed
        out.dispose();
        return info;
      },
    });

  it("runs the kernel once over all the tensors and returns its answer", () => {
    register(false);
    expect(read(allFinite([tf.scalar(1), tf.ones([3]), tf.ones([2, 2])]))).toBe(false);
    expect(calls).toEqual([3]);
  });

  it("ends every GroupedOptimizer step with one call over the loss and the moved variables", () => {
    register(true);
    const w = tf.variable(tf.tensor([1, 2]), true, "w");
    const b = tf.variable(tf.tensor([0.5]), true, "b");
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w, b }),
      defaults: { lr: 0.1, momentum: 0.9 },
      rule: sgd(),
      checkFinite: true,
    });
    optimizer.minimize(() => tf.sum(tf.add(tf.square(w), b)) as tf.Scalar);
    // the loss, two weights and two momentum slots (the step counter is int32: not checked)
    expect(calls).toEqual([5]);
    calls.length = 0;
    tf.unregisterKernel(ALL_FINITE_KERNEL, backend);
    register(false); // the kernel's "no" rejects the step, as a NaN would
    expect(() => optimizer.minimize(() => tf.sum(tf.add(tf.square(w), b)) as tf.Scalar)).toThrow(
      NonFiniteStepError,
    );
    expect(calls).toEqual([5]);
    optimizer.dispose();
    tf.dispose([w, b]);
  });
});

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { expect } from "vitest";
import { registerWasmTrainingKernels } from "../src/registerWasmTrainingKernels";

/** Initialises cpu and wasm once, registers this package's kernels, leaves wasm active. */
export async function initBackends(): Promise<void> {
  registerWasmTrainingKernels();
  await tf.setBackend("cpu");
  await tf.setBackend("wasm");
}

/** Deterministic values in [-1, 1) (a linear congruential generator), so both backends see the same data. */
export function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs `f` on `backend` (switching synchronously: both are initialised) and reads its result. */
export function runOn(
  backend: "cpu" | "wasm" | "tensorflow",
  f: () => tf.Tensor,
): { shape: number[]; data: Float32Array } {
  const previous = tf.getBackend();
  tf.setBackend(backend);
  try {
    const t = f();
    const r = { shape: t.shape, data: t.dataSync() as Float32Array };
    tf.dispose(t);
    return r;
  } finally {
    tf.setBackend(previous);
  }
}

/**
 * Normwise relative error max_i |a_i - b_i| / max_i |b_i| (b = reference), with a floor of 1e-6 on
 * the denominator so an all-zero reference needs an all-zero answer.
 */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-6);
}

/** Runs `f` on wasm and on cpu and expects equal shapes and a relative error below `tol`. */
export function expectSameOnBackends(f: () => tf.Tensor, tol = 1e-4): number {
  const ref = runOn("cpu", f);
  const got = runOn("wasm", f);
  expect(got.shape).toEqual(ref.shape);
  const err = relativeError(got.data, ref.data);
  expect(err).toBeLessThanOrEqual(tol);
  return err;
}

/** Expects that `f` (run on wasm, output disposed) leaks no tensor from its second call on. */
export function expectNoLeak(f: () => tf.Tensor | tf.Tensor[]): void {
  tf.dispose(f());
  const before = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  tf.dispose(f());
  tf.dispose(f());
  expect(tf.memory().numTensors).toBe(before);
  expect(tf.memory().numBytes).toBe(bytes);
}

/**
 * Exact reference for the gradient of a *linear* map f at any point: dx[k] = sum_i dy[i] * f(e_k)[i],
 * with e_k the k-th basis tensor of `shape`, computed with cpu's forward op (one call per k).
 * Used where cpu's own backprop kernel is wrong (depthwise with dilation > 1 in tfjs 4.22).
 */
export function linearVjpOnCpu(
  f: (e: tf.Tensor) => tf.Tensor,
  shape: number[],
  dy: Float32Array,
): Float32Array {
  const previous = tf.getBackend();
  tf.setBackend("cpu");
  try {
    const n = tf.util.sizeFromShape(shape);
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const basis = new Float32Array(n);
      basis[k] = 1;
      const y = tf.tidy(() => f(tf.tensor(basis, shape)));
      const yv = y.dataSync();
      y.dispose();
      let s = 0;
      for (let i = 0; i < yv.length; i++) s += yv[i]! * dy[i]!;
      out[k] = s;
    }
    return out;
  } finally {
    tf.setBackend(previous);
  }
}

/** Runs `f` on wasm and expects a relative error below `tol` against the given reference values. */
export function expectWasmEquals(f: () => tf.Tensor, ref: Float32Array, tol = 1e-4): number {
  const got = runOn("wasm", f);
  const err = relativeError(got.data, ref);
  expect(err).toBeLessThanOrEqual(tol);
  return err;
}

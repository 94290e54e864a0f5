import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { chunkedAddNConfig } from "./chunkedAddN";

// The chunking is backend-independent: checked here on cpu, with cpu's own AddN as the "native"
// kernel and a limit of 3 inputs a call (webgpu's is maxStorageBuffersPerShaderStage - 1, and
// its failure, a stale output for too many inputs, is checked in Chromium by pnpm test:browser).
describe("chunkedAddNConfig", () => {
  let native: tf.KernelConfig;
  const calls: number[] = [];
  beforeAll(async () => {
    await tf.setBackend("cpu");
    native = tf.getKernel(tf.AddN, "cpu")!;
    const counting: tf.KernelConfig = {
      ...native,
      kernelFunc: (args) => {
        calls.push((args.inputs as unknown as unknown[]).length);
        return native.kernelFunc(args);
      },
    };
    tf.unregisterKernel(tf.AddN, "cpu");
    tf.registerKernel(chunkedAddNConfig(counting, () => 3));
  });
  afterEach(() => {
    calls.length = 0;
  });

  it("sums 1..n in calls of at most 3 inputs, left to right, for every n", () => {
    for (const n of [2, 3, 4, 5, 6, 7, 8, 10]) {
      calls.length = 0;
      const xs = Array.from({ length: n }, (_, i) => tf.fill([2], i + 1));
      const s = tf.addN(xs);
      expect(Array.from(s.dataSync())).toEqual([(n * (n + 1)) / 2, (n * (n + 1)) / 2]);
      // n <= 3: one call; else 3, then (partial sum + 2 more) per call: 1 + ceil((n - 3) / 2) calls
      expect(calls.length).toBe(n <= 3 ? 1 : 1 + Math.ceil((n - 3) / 2));
      expect(Math.max(...calls)).toBeLessThanOrEqual(3);
      tf.dispose([...xs, s]);
    }
  });

  it("adds in the order one call would (float32: ((a + b) + c) + d, not a + (b + (c + d)))", () => {
    // 1e8 + 1 - 1e8 + 1 in float32: left to right gives 1 (1e8 + 1 rounds to 1e8), the other order 2
    const xs = [1e8, 1, -1e8, 1].map((v) => tf.scalar(v));
    const s = tf.addN(xs);
    expect(s.dataSync()[0]).toBe(1);
    tf.dispose([...xs, s]);
  });

  it("frees its partial sums (no tensor or byte left after 9 inputs)", () => {
    const xs = Array.from({ length: 9 }, (_, i) => tf.fill([64], i));
    const dataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const before = { ...tf.memory(), dataIds: dataIds() };
    const s = tf.addN(xs); // 4 calls: 3 partial sums made, 3 freed, 1 returned
    expect(dataIds()).toBe(before.dataIds + 1);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(dataIds()).toBe(before.dataIds);
    tf.dispose(xs);
  });
});

import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { batches } from "./batches";
import { type Dataset, sliceDataset, toTensors } from "./dataset";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** 10 examples with x_i = [i, 10 i], y_i = i mod 3. */
function tiny(): Dataset {
  const xs = new Float32Array(20);
  const ys = new Int32Array(10);
  for (let i = 0; i < 10; i++) {
    xs[2 * i] = i;
    xs[2 * i + 1] = 10 * i;
    ys[i] = i % 3;
  }
  return { xs, xShape: [2], ys, yShape: [], size: 10, numClasses: 3 };
}

describe("batches", () => {
  it("covers every example once per epoch in a seeded order, rows match labels", () => {
    const ds = tiny();
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const { xs, ys, indices } of batches(ds, { batchSize: 4, seed: 3 })) {
      sizes.push(xs.shape[0]!);
      const x = xs.arraySync() as number[][];
      const y = ys.arraySync() as number[][];
      indices.forEach((idx, r) => {
        expect(x[r]).toEqual([idx, 10 * idx]);
        expect(y[r]).toEqual([0, 1, 2].map((c) => (c === idx % 3 ? 1 : 0)));
      });
      seen.push(...indices);
      tf.dispose([xs, ys]);
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const again = [...batches(ds, { batchSize: 4, seed: 3 })];
    expect(again.flatMap((b) => [...b.indices])).toEqual(seen);
    const other = [...batches(ds, { batchSize: 4, seed: 3, epoch: 1 })];
    expect(other.flatMap((b) => [...b.indices])).not.toEqual(seen);
    tf.dispose([...again, ...other].flatMap((b) => [b.xs, b.ys]));
  });

  it("supports no shuffle, dropRemainder and class-id labels", () => {
    const out = [...batches(tiny(), { batchSize: 4, shuffle: false, dropRemainder: true, oneHot: false })];
    expect(out.map((b) => [...b.indices])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(out[1]!.ys.dtype).toBe("int32");
    expect(Array.from(out[1]!.ys.dataSync())).toEqual([1, 2, 0, 1]);
    tf.dispose(out.flatMap((b) => [b.xs, b.ys]));
    expect(() => [...batches(tiny(), { batchSize: 0 })]).toThrow(
      /batchSize must be a positive integer, got 0/,
    );
  });

  it("leaks no tensors: each batch is exactly two tensors, gone once disposed", () => {
    const before = tf.memory().numTensors;
    for (const { xs, ys } of batches(tiny(), { batchSize: 3, seed: 1 })) {
      expect(tf.memory().numTensors).toBe(before + 2);
      tf.dispose([xs, ys]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("toTensors and sliceDataset", () => {
    const { xs, ys } = toTensors(sliceDataset(tiny(), 2, 5));
    expect(xs.arraySync()).toEqual([
      [2, 20],
      [3, 30],
      [4, 40],
    ]);
    expect(ys.shape).toEqual([3, 3]);
    tf.dispose([xs, ys]);
    expect(() => sliceDataset(tiny(), 5, 11)).toThrow(/end <= size \(10\)/);
  });
});

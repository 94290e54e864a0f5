import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atomicWriteDir } from "../internal/atomicWriteDir";
import { trainSteps } from "../internal/trainSteps";
import { mlp } from "../models/mlp";
import { smallConvNet } from "../models/smallConvNet";
import { textTransformer } from "../models/textTransformer";
import { vit } from "../models/vit";
import { loadBackbone } from "./loadBackbone";
import { loadModel } from "./loadModel";
import { loadWeights } from "./loadWeights";
import { saveWeights } from "./saveWeights";

let root: string;
beforeAll(async () => {
  await tf.setBackend("cpu");
  root = await mkdtemp(join(tmpdir(), "sam-models-weights-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The raw bytes of every weight, keyed by path. */
function bytesOf(model: tf.LayersModel): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const w of model.weights) {
    const v = w.read().dataSync();
    out[w.originalName] = Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return out;
}

/** A conv net with non-trivial BN moving statistics and trained weights. */
function trainedConvNet(numClasses: number, seed: number): tf.LayersModel {
  const model = smallConvNet({ inputShape: [8, 8, 3], numClasses, filters: [4, 8], seed });
  const x = tf.randomNormal([4, 8, 8, 3], 0.5, 2, "float32", seed + 10);
  const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], "int32"), numClasses);
  trainSteps(model, x, y, 2, 0.1);
  tf.dispose([x, y]);
  return model;
}

describe("saveWeights / loadWeights", () => {
  it("round-trips bit-exactly, BatchNorm moving statistics included", async () => {
    const a = trainedConvNet(3, 1);
    const dir = join(root, "roundtrip");
    const { tensors } = await saveWeights(a, dir);
    expect(tensors).toBe(a.weights.length);
    expect((await readdir(dir)).sort()).toEqual(["model.json", "weights.bin"]);
    const b = smallConvNet({ inputShape: [8, 8, 3], numClasses: 3, filters: [4, 8], seed: 99 });
    expect(bytesOf(b)).not.toEqual(bytesOf(a));
    const report = await loadWeights(b, dir);
    expect(report.loaded.sort()).toEqual(a.weights.map((w) => w.originalName).sort());
    expect(report.skipped).toEqual([]);
    expect(report.initialized).toEqual([]);
    expect(bytesOf(b)).toEqual(bytesOf(a));
    expect(b.getLayer("bn1").getWeights()[2]!.dataSync()[0]).not.toBe(0); // moving mean moved
    const n = tf.memory().numTensors;
    await loadWeights(b, dir);
    expect(tf.memory().numTensors).toBe(n);
    a.dispose();
    b.dispose();
  });

  it("overwrites atomically: no temp directories remain, old checkpoint survives a failed save", async () => {
    const dir = join(root, "atomic");
    const a = mlp({ inputDim: 3, widths: [4], outputDim: 2, seed: 1 });
    await saveWeights(a, dir);
    const b = mlp({ inputDim: 3, widths: [4], outputDim: 2, seed: 2 });
    await saveWeights(b, dir); // replace
    // A write that fails half-way (second file) leaves the previous checkpoint in place.
    const bad = [
      ["weights.bin", new Uint8Array(3)],
      ["model.json", {} as Uint8Array],
    ] as [string, Uint8Array][];
    await expect(atomicWriteDir(dir, () => true, bad)).rejects.toThrow();
    expect((await readdir(root)).filter((n) => n.startsWith("."))).toEqual([]);
    const c = mlp({ inputDim: 3, widths: [4], outputDim: 2, seed: 3 });
    await loadWeights(c, dir);
    expect(bytesOf(c)).toEqual(bytesOf(b));
    // A directory with foreign files is never replaced.
    const foreign = join(root, "foreign");
    await saveWeights(a, foreign);
    await writeFile(join(foreign, "notes.txt"), "mine");
    await expect(saveWeights(a, foreign)).rejects.toThrow(
      /refusing to replace .*notes\.txt.*empty or dedicated/,
    );
    for (const m of [a, b, c]) m.dispose();
  });

  it("lists every mismatch in one error and leaves the model unchanged", async () => {
    const dir = join(root, "mismatch");
    const a = mlp({ inputDim: 3, widths: [4, 5], outputDim: 2 });
    await saveWeights(a, dir);
    const b = mlp({ inputDim: 3, widths: [4, 6], outputDim: 2, norm: "layer", seed: 4 });
    const before = bytesOf(b);
    const err = await loadWeights(b, dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/shape mismatch: dense2\/kernel is \[4,6\] in the model, \[4,5\] in the checkpoint/);
    expect(msg).toMatch(/shape mismatch: head\/kernel is \[6,2\]/);
    expect(msg).toMatch(/missing in checkpoint: norm1\/gamma/);
    expect(msg).toMatch(/unexpected in checkpoint \(not in the model\): dense1\/bias/);
    expect(msg).toMatch(/strict: false/);
    expect(bytesOf(b)).toEqual(before);
    a.dispose();
    b.dispose();
  });

  it("strict: false loads the matching subset and reports the rest", async () => {
    const dir = join(root, "subset");
    const a = mlp({ inputDim: 3, widths: [4], outputDim: 2, norm: "batch" });
    await saveWeights(a, dir);
    const b = mlp({ inputDim: 3, widths: [4], outputDim: 2, norm: "layer", seed: 8 });
    const report = await loadWeights(b, dir, { strict: false });
    expect(report.loaded.sort()).toEqual([
      "dense1/kernel",
      "head/bias",
      "head/kernel",
      "norm1/beta",
      "norm1/gamma",
    ]);
    expect(report.skipped.sort()).toEqual(["norm1/moving_mean", "norm1/moving_variance"]);
    expect(report.initialized).toEqual([]);
    a.dispose();
    b.dispose();
  });

  it("rejects a truncated shard and a missing checkpoint with clear errors", async () => {
    const dir = join(root, "truncated");
    const a = mlp({ inputDim: 3, widths: [4], outputDim: 2 });
    await saveWeights(a, dir);
    await truncate(join(dir, "weights.bin"), 10);
    await expect(loadWeights(a, dir)).rejects.toThrow(
      /hold 10 bytes but model.json's manifest describes 104 bytes/,
    );
    await expect(loadWeights(a, join(root, "nope"))).rejects.toThrow(/cannot read .*model\.json/);
    a.dispose();
  });
});

describe("loadBackbone", () => {
  it("loads the body, leaves the new head untouched, reports loaded/skipped/initialized", async () => {
    const dir = join(root, "backbone");
    const pre = trainedConvNet(4, 1);
    await saveWeights(pre, dir);
    const fine = smallConvNet({ inputShape: [8, 8, 3], numClasses: 3, filters: [4, 8], seed: 7 });
    const headBefore = bytesOf(fine);
    const report = await loadBackbone(fine, dir);
    expect(report.initialized).toEqual(["head/kernel", "head/bias"]);
    expect(report.skipped).toEqual(["head/kernel", "head/bias"]);
    expect(report.loaded.length).toBe(pre.weights.length - 2);
    const preBytes = bytesOf(pre);
    const fineBytes = bytesOf(fine);
    for (const path of report.loaded) expect(fineBytes[path]).toEqual(preBytes[path]);
    expect(fineBytes["head/kernel"]).toEqual(headBefore["head/kernel"]);
    expect(fineBytes["head/bias"]).toEqual(headBefore["head/bias"]);
    // A body mismatch is an error naming it.
    const wider = smallConvNet({ inputShape: [8, 8, 3], numClasses: 3, filters: [4, 16] });
    await expect(loadBackbone(wider, dir)).rejects.toThrow(/shape mismatch: conv2\/kernel is \[3,3,4,16\]/);
    await expect(loadBackbone(wider, dir, { head: ["nope"] })).rejects.toThrow(
      /head layer\(s\) nope not in model/,
    );
    for (const m of [pre, fine, wider]) m.dispose();
  });
});

describe("loadModel", () => {
  it("reloads ViT and text transformer topologies (custom layers) with samMeta, same outputs", async () => {
    const v = vit({ imageSize: 8, patchSize: 4, dim: 8, depth: 1, heads: 2, numClasses: 3 });
    const t = textTransformer({ vocabSize: 10, seqLen: 4, dim: 8, depth: 1, heads: 2, numClasses: 2 });
    const cases: [tf.LayersModel, tf.Tensor][] = [
      [v, tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 3)],
      [t, tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], "int32")],
    ];
    for (const [model, x] of cases) {
      const dir = join(root, `reload-${model.name}`);
      await saveWeights(model, dir);
      const json = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
      expect(json.format).toBe("layers-model");
      const again = await loadModel(dir);
      expect(again.samMeta).toEqual((model as tf.LayersModel & { samMeta: unknown }).samMeta);
      const y1 = model.predict(x) as tf.Tensor;
      const y2 = again.predict(x) as tf.Tensor;
      expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
      tf.dispose([x, y1, y2]);
      again.dispose();
      model.dispose();
    }
  });
});

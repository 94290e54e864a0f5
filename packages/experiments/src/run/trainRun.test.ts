import "@tensorflow/tfjs";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectNoLeak } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import type { MetricsLine } from "../checkpoint/checkpointState";
import { parseRunConfig } from "../config/parseRunConfig";
import type { RunConfigInput } from "../config/runConfig";
import { RESUME_METHODS, tempDir, tinyConfig } from "../test/tinyConfig";
import { trainRun } from "./trainRun";

const run = (input: RunConfigInput, out: string, extra: { resume?: boolean; stopAfterStep?: number } = {}) =>
  trainRun({ config: parseRunConfig(input), root: tempDir(), out, ...extra });

const metricsOf = (out: string): Omit<MetricsLine, "seconds" | "images_per_second">[] =>
  readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const { seconds: _s, images_per_second: _i, ...rest } = JSON.parse(l) as MetricsLine;
      return rest;
    });

describe("trainRun: resume is bit-identical", () => {
  for (const [name, method] of Object.entries(RESUME_METHODS)) {
    it(`${name}: stopped after steps 7 and 13, resumed twice, it ends with the uninterrupted run's weights and metrics`, async () => {
      const config = tinyConfig(method);
      const straight = tempDir();
      const a = await run(config, straight);
      const broken = tempDir();
      expect(await run(config, broken, { stopAfterStep: 7 })).toBeNull();
      // step 7 is no checkpoint step (every 5): the resume restarts from step 5
      expect(await run(config, broken, { resume: true, stopAfterStep: 13 })).toBeNull();
      const b = await run(config, broken, { resume: true });
      expect(b!.weights_sha256).toBe(a!.weights_sha256);
      expect(b!.resumed_from).toEqual([5, 10]);
      expect(metricsOf(broken)).toEqual(metricsOf(straight));
      expect(metricsOf(straight).map((m) => m.step)).toEqual([4, 8, 12, 16, 20, 24]);
      expect(b!.final_test_accuracy).toBe(a!.final_test_accuracy);
      // keep: 2 -> the last two checkpoints
      expect(readdirSync(join(broken, "checkpoints")).sort()).toEqual(["step-20", "step-24"]);
    });
  }

  it("multirate (k = 3, momentum) and AdamW with groups and a schedule resume bit-identically too", async () => {
    for (const method of [
      { name: "multirate", base: "momentum", k: 3, hyper: { lr: 0.05 } },
      {
        name: "adamw",
        // biome-ignore lint/suspicious/noThenProperty: the field name of @sam/core's warmup schedule
        hyper: { lr: { schedule: "warmup", steps: 4, then: 0.01 }, weightDecay: 0.01 },
        groups: [
          {
            label: "no_decay",
            select: { or: [{ tag: "norm" }, { tag: "bias" }] },
            hyper: { weightDecay: 0 },
          },
          { label: "rest", select: { all: true } },
        ],
      },
    ] as const) {
      const config = tinyConfig(method as never, { steps: 11 });
      const a = await run(config, tempDir());
      const broken = tempDir();
      await run(config, broken, { stopAfterStep: 8 });
      const b = await run(config, broken, { resume: true });
      expect(b!.resumed_from).toEqual([5]);
      expect(b!.weights_sha256).toBe(a!.weights_sha256);
    }
  });

  it("a different seed gives different weights (the digest can tell runs apart)", async () => {
    const config = tinyConfig(RESUME_METHODS.sgd!);
    const a = await run(config, tempDir());
    const b = await run({ ...config, seed: 4 }, tempDir());
    expect(b!.weights_sha256).not.toBe(a!.weights_sha256);
  });

  it("images with augmentation and label noise, in a conv net: resumed = uninterrupted", async () => {
    const config: RunConfigInput = {
      model: { builder: "smallConvNet", options: { filters: [4] } },
      data: {
        source: "shapes",
        train: 64,
        test: 32,
        batchSize: 16,
        options: { size: 8 },
        augment: { padding: 1, flip: true },
        labelNoise: { kind: "symmetric", fraction: 0.25, seed: 5 },
        validation: 0.25,
      },
      method: {
        name: "sam",
        base: "sgd",
        rho: 0.05,
        hyper: { lr: { schedule: "cosine", value: 0.1, steps: 9 } },
      },
      steps: 9,
      evalEvery: 3,
      checkpointEvery: 2,
      seed: 2,
    };
    const straight = tempDir();
    const a = await run(config, straight);
    const broken = tempDir();
    await run(config, broken, { stopAfterStep: 5 });
    const b = await run(config, broken, { resume: true });
    expect(b!.weights_sha256).toBe(a!.weights_sha256);
    expect(b!.resumed_from).toEqual([4]);
    expect(metricsOf(broken)).toEqual(metricsOf(straight));
    expect(metricsOf(straight)[0]!.validation_accuracy).toBeGreaterThanOrEqual(0);
  });

  it("leaks no tensor over a whole run", async () => {
    const config = parseRunConfig({ ...tinyConfig(RESUME_METHODS.samOn!), steps: 6 });
    await trainRun({ config, root: tempDir(), out: tempDir() }); // warm-up: kernels, backend
    await expectNoLeak(() => trainRun({ config, root: tempDir(), out: tempDir() }));
  });
});

describe("trainRun: refusals", () => {
  it("refuses a non-empty --out without --resume, and a resume with another config", async () => {
    const config = tinyConfig(RESUME_METHODS.sgd!, { steps: 5 });
    const out = tempDir();
    await run(config, out);
    await expect(run(config, out)).rejects.toThrow(/already holds files: pass --resume/);
    await expect(run({ ...config, seed: 9 }, out, { resume: true })).rejects.toThrow(/another config/);
  });

  it("ignores and removes the half-written .tmp-step-N a kill left, resuming from the last complete checkpoint", async () => {
    const { mkdirSync, existsSync } = await import("node:fs");
    const config = tinyConfig(RESUME_METHODS.sgd!);
    const a = await run(config, tempDir());
    const out = tempDir();
    await run(config, out, { stopAfterStep: 12 });
    const partial = join(out, "checkpoints", ".tmp-step-15");
    mkdirSync(partial);
    writeFileSync(join(partial, "weights.bin"), new Uint8Array(3)); // what a kill mid-write leaves
    const b = await run(config, out, { resume: true });
    expect(b!.resumed_from).toEqual([10]);
    expect(b!.weights_sha256).toBe(a!.weights_sha256);
    expect(existsSync(partial)).toBe(false);
  });

  it("refuses a corrupt checkpoint with a clear error, and leaves it as it was", async () => {
    const config = tinyConfig(RESUME_METHODS.sgd!);
    const out = tempDir();
    await run(config, out, { stopAfterStep: 12 });
    const weights = join(out, "checkpoints", "step-10", "weights.bin");
    const bytes = readFileSync(weights);
    bytes[7]! ^= 0x01; // one bit
    writeFileSync(weights, bytes);
    await expect(run(config, out, { resume: true })).rejects.toThrow(
      /step-10: weights\.bin is corrupt or truncated .*Delete this checkpoint/,
    );
    expect(readFileSync(weights).equals(bytes)).toBe(true);
    writeFileSync(weights, bytes.subarray(0, 10)); // truncated
    await expect(run(config, out, { resume: true })).rejects.toThrow(
      /weights\.bin is corrupt or truncated \(10 bytes/,
    );
    writeFileSync(join(out, "checkpoints", "step-10", "state.json"), "{ half");
    await expect(run(config, out, { resume: true })).rejects.toThrow(/state\.json is not valid JSON/);
    expect(readdirSync(join(out, "checkpoints")).sort()).toEqual(["step-10", "step-5"]);
  });

  it("refuses a checkpoint whose model.json names a file outside it", async () => {
    const config = tinyConfig(RESUME_METHODS.sgd!);
    const out = tempDir();
    await run(config, out, { stopAfterStep: 6 });
    const dir = join(out, "checkpoints", "step-5");
    const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
    const json = readFileSync(join(dir, "model.json"), "utf8").replace("./weights.bin", "../../config.json");
    writeFileSync(join(dir, "model.json"), json);
    const { createHash } = await import("node:crypto");
    state.files["model.json"] = createHash("sha256").update(json).digest("hex");
    writeFileSync(join(dir, "state.json"), JSON.stringify(state));
    await expect(run(config, out, { resume: true })).rejects.toThrow(
      /weightsManifest path is "\.\.\/\.\.\/config\.json", which leaves/,
    );
  });
});

describe("trainRun: model.init.from", () => {
  it("starts from a checkpoint of another run (backbone: the head is new), and refuses paths that leave the root", async () => {
    const { cpSync, writeFileSync: write } = await import("node:fs");
    const first = tempDir();
    await run(tinyConfig(RESUME_METHODS.sgd!, { steps: 5 }), first);
    const root = tempDir();
    cpSync(join(first, "checkpoints", "step-5"), join(root, "pre"), { recursive: true });
    const config = (init: object) =>
      parseRunConfig({
        ...tinyConfig(RESUME_METHODS.sgd!, { steps: 2 }),
        model: { builder: "mlp", options: { widths: [12], norm: "layer" }, init },
      });
    const s = await trainRun({ config: config({ from: "pre", backbone: true }), root, out: tempDir() });
    expect(s!.steps).toBe(2);
    await expect(trainRun({ config: config({ from: "../pre" }), root, out: tempDir() })).rejects.toThrow(
      /config model\.init\.from is "\.\.\/pre", which leaves/,
    );
    write(join(root, "secret.bin"), new Uint8Array(4096));
    const json = readFileSync(join(root, "pre", "model.json"), "utf8").replace(
      "./weights.bin",
      "../secret.bin",
    );
    write(join(root, "pre", "model.json"), json);
    await expect(trainRun({ config: config({ from: "pre" }), root, out: tempDir() })).rejects.toThrow(
      /model\.json weightsManifest path is "\.\.\/secret\.bin", which leaves/,
    );
  });
});

describe("trainRun: the run directory", () => {
  it("holds config.json, metrics.jsonl, summary.json and checkpoints, and nothing is written outside it", async () => {
    const cwd = process.cwd();
    const before = readdirSync(cwd).sort();
    const out = tempDir();
    const summary = await run(tinyConfig(RESUME_METHODS.sgd!, { name: "tiny" }), out);
    expect(readdirSync(cwd).sort()).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(
      expect.arrayContaining(["checkpoints", "config.json", "metrics.jsonl", "summary.json"]),
    );
    const onDisk = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(onDisk).toEqual(summary);
    expect(summary!.name).toBe("tiny");
    expect(summary!.steps).toBe(24);
    expect(summary!.weights_sha256).toMatch(/^[0-9a-f]{64}$/);
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(config.data.validation).toBe(0); // defaults written out
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});

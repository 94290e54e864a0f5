import "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunConfig } from "../config/parseRunConfig";
import { METHOD_NAMES, type RunConfigInput } from "../config/runConfig";
import { trainRun } from "../run/trainRun";
import { tempDir, tinyConfig } from "../test/tinyConfig";

const METHODS: Record<(typeof METHOD_NAMES)[number], RunConfigInput["method"]> = {
  sgd: { name: "sgd", hyper: { lr: 0.1 } },
  momentum: { name: "momentum", hyper: { lr: 0.1 } },
  adamw: { name: "adamw", hyper: { lr: 0.01, weightDecay: 0.01 } },
  sam: { name: "sam", rho: 0.05, hyper: { lr: 0.1 } },
  asam: { name: "asam", rho: 0.5, eta: 0.01, hyper: { lr: 0.1 } },
  samOn: { name: "samOn", rho: 0.5, hyper: { lr: 0.1 } },
  usam: { name: "usam", rho: 0.01, hyper: { lr: 0.1 } },
  sgld: { name: "sgld", hyper: { lr: 0.01, temperature: 0.001 } },
  langevin: { name: "langevin", hyper: { h: 0.05, friction: 1, temperature: 0.001 } },
  overdampedLangevin: { name: "overdampedLangevin", hyper: { h: 0.01, temperature: 0.001 } },
  adaptiveLangevin: { name: "adaptiveLangevin", hyper: { h: 0.05, temperature: 0.001 } },
  multirate: { name: "multirate", k: 2, hyper: { lr: 0.05 } },
};

const run = (method: RunConfigInput["method"], steps = 3) =>
  trainRun({
    config: parseRunConfig(tinyConfig(method, { steps, evalEvery: steps })),
    root: tempDir(),
    out: tempDir(),
  });

describe("buildOptimizer", () => {
  it("builds every method sam-train names and trains it (3 steps, finite loss, weights moved)", async () => {
    const start = (await run(METHODS.sgd!, 1))!; // one step of SGD: differs from every 3-step run below
    const digests = new Set([start.weights_sha256]);
    for (const name of METHOD_NAMES) {
      const s = await run(METHODS[name]);
      expect(Number.isFinite(s!.final_train_loss), name).toBe(true);
      digests.add(s!.weights_sha256);
    }
    expect(digests.size).toBe(METHOD_NAMES.length + 1); // every method moved the weights its own way
  }, 120_000);

  it("m-sharpness: chunks of m = the batch give plain SAM's weights; smaller chunks give others", async () => {
    const sam = await run(METHODS.sam!);
    const whole = await run({ ...METHODS.sam!, mSharpness: 16 });
    const chunks = await run({ ...METHODS.sam!, mSharpness: 4 });
    expect(whole!.weights_sha256).toBe(sam!.weights_sha256);
    expect(chunks!.weights_sha256).not.toBe(sam!.weights_sha256);
  }, 60_000);

  it("weight decay in the loss (c/2 ||W||^2 over kernels) moves the kernels as SGD's coupled decay of the kernels does", async () => {
    const c = 0.05;
    const kernelsOf = (out: string) => {
      const json = JSON.parse(readFileSync(join(out, "checkpoints", "step-1", "model.json"), "utf8"));
      return json.weightsManifest[0].weights.map((w: { name: string }) => w.name) as string[];
    };
    const outs = [tempDir(), tempDir()];
    const configs: RunConfigInput["method"][] = [
      { name: "sgd", hyper: { lr: 0.5 }, weightDecayIn: "loss", lossWeightDecay: c },
      {
        name: "sgd",
        hyper: { lr: 0.5 },
        groups: [
          { label: "norm_bias", select: { or: [{ tag: "norm" }, { tag: "bias" }] } },
          { label: "kernels", select: { all: true }, hyper: { weightDecay: c } },
        ],
      },
    ];
    const weights: Float32Array[][] = [];
    for (let i = 0; i < 2; i++) {
      await trainRun({
        config: parseRunConfig(tinyConfig(configs[i]!, { steps: 1, evalEvery: 1, checkpointEvery: 1 })),
        root: tempDir(),
        out: outs[i]!,
      });
      const bin = readFileSync(join(outs[i]!, "checkpoints", "step-1", "weights.bin"));
      weights.push([new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4)]);
    }
    expect(kernelsOf(outs[0]!)).toEqual(kernelsOf(outs[1]!));
    const [a, b] = [weights[0]![0]!, weights[1]![0]!];
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-6);
    // and the decay does act: without it the weights differ by about lr * c * |w|
    const plain = tempDir();
    await trainRun({
      config: parseRunConfig(
        tinyConfig({ name: "sgd", hyper: { lr: 0.5 } }, { steps: 1, evalEvery: 1, checkpointEvery: 1 }),
      ),
      root: tempDir(),
      out: plain,
    });
    const p = readFileSync(join(plain, "checkpoints", "step-1", "weights.bin"));
    const pw = new Float32Array(p.buffer, p.byteOffset, p.byteLength / 4);
    let moved = 0;
    for (let i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i]! - pw[i]!));
    expect(moved).toBeGreaterThan(1e-3);
  }, 60_000);
});

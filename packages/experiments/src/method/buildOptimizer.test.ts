import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { parseRunConfig } from "../config/parseRunConfig";
import { METHOD_NAMES, type RunConfigInput } from "../config/runConfig";
import { buildModel } from "../model/buildModel";
import { trainRun } from "../run/trainRun";
import { tempDir, tinyConfig } from "../test/tinyConfig";
import { buildOptimizer } from "./buildOptimizer";

const METHODS: Record<(typeof METHOD_NAMES)[number], RunConfigInput["method"]> = {
  sgd: { name: "sgd", hyper: { lr: 0.1 } },
  momentum: { name: "momentum", hyper: { lr: 0.1 } },
  adam: { name: "adam", hyper: { lr: 0.01 } },
  adamw: { name: "adamw", hyper: { lr: 0.01, weightDecay: 0.01 } },
  sam: { name: "sam", rho: 0.05, hyper: { lr: 0.1 } },
  asam: { name: "asam", rho: 0.5, eta: 0.01, hyper: { lr: 0.1 } },
  samOn: { name: "samOn", rho: 0.5, hyper: { lr: 0.1 } },
  usam: { name: "usam", rho: 0.01, hyper: { lr: 0.1 } },
  sgld: { name: "sgld", hyper: { lr: 0.01, temperature: 0.001 } },
  langevin: { name: "langevin", hyper: { h: 0.05, friction: 1, temperature: 0.001 } },
  overdampedLangevin: { name: "overdampedLangevin", hyper: { h: 0.01, temperature: 0.001 } },
  adaptiveLangevin: { name: "adaptiveLangevin", hyper: { h: 0.05, temperature: 0.001 } },
  lala: { name: "lala", hyper: { h: 0.05 } },
  adlala: { name: "adlala", hyper: { h: 0.05 } },
  lol: { name: "lol", hyper: { h: 0.05 } },
  multirate: { name: "multirate", k: 2, hyper: { lr: 0.05 } },
};

/** A 2-4-3 MLP (no norm) on 2-D inputs, its optimizer from a config's method, and one fixed batch. */
async function setup(method: RunConfigInput["method"]) {
  const config = parseRunConfig(tinyConfig(method));
  const model = buildModel({ builder: "mlp", options: { widths: [4] } }, [2], 3, 5);
  const optimizer = await buildOptimizer(config.method, model, 9);
  const x = tf.tensor2d([0.5, -1, 1.5, 0.25, -0.75, 2], [3, 2]);
  const y = tf.oneHot(tf.tensor1d([0, 2, 1], "int32"), 3);
  const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const weights = () => model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  return { model, optimizer, loss, weights };
}

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
  });

  it("m-sharpness: chunks of m = the batch give plain SAM's weights; smaller chunks give others", async () => {
    const sam = await run(METHODS.sam!);
    const whole = await run({ ...METHODS.sam!, mSharpness: 16 });
    const chunks = await run({ ...METHODS.sam!, mSharpness: 4 });
    expect(whole!.weights_sha256).toBe(sam!.weights_sha256);
    expect(chunks!.weights_sha256).not.toBe(sam!.weights_sha256);
  });

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
  });

  it("adam: the first step moves every weight with a nonzero gradient by lr (m/sqrt(v) = sign(g))", async () => {
    const { optimizer, loss, weights } = await setup({ name: "adam", hyper: { lr: 0.01 } });
    const before = weights();
    optimizer.minimize(loss);
    const after = weights();
    let moved = 0;
    for (let t = 0; t < before.length; t++) {
      for (let i = 0; i < before[t]!.length; i++) {
        const d = Math.abs(after[t]![i]! - before[t]![i]!);
        if (d > 1e-7) {
          expect(d).toBeCloseTo(0.01, 5);
          moved++;
        }
      }
    }
    expect(moved).toBeGreaterThan(20); // of 4*2 + 4 + 4*3 + 3 = 27 weights (ReLU may zero a few)
  });

  it("adlala without groups: the package's split and settings, method.hyper replacing a setting wherever it is read", async () => {
    const { optimizer } = await setup({ name: "adlala", hyper: { h: 0.1, friction: 0.5 } });
    expect(optimizer.groups.map((g) => [g.label, g.params.length])).toEqual([
      ["first", 2], // the first dense layer's kernel and bias
      ["rest", 2],
    ]);
    expect(optimizer.group("first").hyper).toMatchObject({ h: 0.1, sigmaA: 0.01, coupling: 0.05, xi0: 0.1 });
    expect(optimizer.group("first").hyper).not.toHaveProperty("friction");
    expect(optimizer.group("rest").hyper).toMatchObject({ h: 0.1, friction: 0.5, temperature: 1e-4 });
  });

  it("lala, lol: an unknown hyperparameter names the key, the method and the known ones", async () => {
    await expect(setup({ name: "lala", hyper: { lr: 0.1 } })).rejects.toThrow(
      /method\.hyper\.lr is 0\.1: lala reads "h", "friction", "temperature"/,
    );
    // past the parser (a method object built in code): buildOptimizer's own check
    const model = buildModel({ builder: "mlp", options: { widths: [4] } }, [2], 3, 5);
    const method = { ...parseRunConfig(tinyConfig({ name: "lala" })).method, hyper: { sigmaA: 0.1 } };
    await expect(buildOptimizer(method, model, 1)).rejects.toThrow(
      /method \(lala\): method\.hyper\.sigmaA is 0\.1, but no group of lala reads "sigmaA"; its hyperparameters are "h", "temperature", "friction"/,
    );
    const { optimizer } = await setup({ name: "lol", hyper: { temperature: 0.01 } });
    expect(optimizer.group("first").hyper).toMatchObject({ temperature: 0.01, friction: 0.1 });
    expect(optimizer.group("rest").hyper).toMatchObject({ temperature: 0.01 });
    expect(optimizer.group("rest").hyper).not.toHaveProperty("friction");
  });

  it("adlala with groups: the config's first/rest split over the rule's defaults; other labels are refused", async () => {
    const { optimizer } = await setup({
      name: "adlala",
      hyper: { h: 0.2 },
      groups: [
        { label: "first", select: { layerIndex: 1 }, hyper: { sigmaA: 0.02 } },
        { label: "rest", select: { all: true }, hyper: { friction: 1 } },
      ],
    });
    expect(optimizer.group("first").params.map((p) => p.layer?.index)).toEqual([1, 1]);
    expect(optimizer.group("first").hyper).toMatchObject({ h: 0.2, sigmaA: 0.02 });
    expect(optimizer.group("rest").hyper).toMatchObject({ h: 0.2, friction: 1 });
    await expect(
      setup({ name: "adlala", groups: [{ label: "all", select: { all: true } }] }),
    ).rejects.toThrow(/method \(adlala\)/);
  });

  it("multirate drift: false holds the body still between synchronisations, true moves it every step", async () => {
    const bodyMoves = async (drift: boolean) => {
      const { optimizer, loss, weights } = await setup({
        name: "multirate",
        k: 2,
        drift,
        hyper: { lr: 0.1 },
      });
      optimizer.minimize(loss); // step 0: synchronisation
      const sync = weights();
      optimizer.minimize(loss); // step 1: fast only
      const next = weights();
      const body = (w: Float32Array[]) => [...w[0]!, ...w[1]!];
      const head = (w: Float32Array[]) => [...w[2]!, ...w[3]!];
      return {
        body: Math.max(...body(next).map((v, i) => Math.abs(v - body(sync)[i]!))),
        head: Math.max(...head(next).map((v, i) => Math.abs(v - head(sync)[i]!))),
      };
    };
    const jump = await bodyMoves(false);
    const drift = await bodyMoves(true);
    expect(jump.body).toBe(0);
    expect(jump.head).toBeGreaterThan(1e-4);
    expect(drift.body).toBeGreaterThan(1e-5);
  });

  it("head-only training: one group for the head and onUnmatched 'ignore' leave the body bit for bit where it was", async () => {
    const { optimizer, loss, weights } = await setup({
      name: "momentum",
      hyper: { lr: 0.1 },
      groups: [{ label: "head", select: { layerClass: "Dense" } }],
      onUnmatched: "ignore",
    });
    // both layers of this MLP are Dense: the head is the one of layer index 1
    expect(optimizer.groups[0]!.params.length).toBe(4);
    const {
      optimizer: headOnly,
      loss: l2,
      weights: w2,
    } = await setup({
      name: "momentum",
      hyper: { lr: 0.1 },
      groups: [{ label: "head", select: { layerIndex: 1 } }],
      onUnmatched: "ignore",
    });
    expect(headOnly.groups[0]!.params.map((p) => p.path)).toEqual(
      headOnly.params.params.filter((p) => p.layer?.index === 1).map((p) => p.path),
    );
    const before = w2();
    headOnly.minimize(l2);
    headOnly.minimize(l2);
    const after = w2();
    expect(after[0]).toEqual(before[0]); // body kernel
    expect(after[1]).toEqual(before[1]); // body bias
    const moved = after[2]!.map((v, i) => Math.abs(v - before[2]![i]!));
    expect(Math.max(...moved)).toBeGreaterThan(1e-4); // head kernel
    optimizer.minimize(loss);
    expect(weights()[0]).not.toEqual(before[0]); // (every Dense layer in one group moves the body too)
  });
});

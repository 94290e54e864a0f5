import {
  aeSamOracle,
  collectParams,
  esamOracle,
  fisherSamOracle,
  friendlySamOracle,
  GroupedOptimizer,
  type GradientOracle,
  sam,
  samOn,
  sgd,
} from "@sam/core";
import { captureStateAsync, interpolate, interpolationPlot, modelEvaluator } from "@sam/landscape";
import { adlala } from "@sam/langevin";
import {
  cifarResNet,
  createRng,
  mlp,
  smallConvNet,
  textTransformer,
  toTensors,
  twoMoons,
  vit,
  wideResNet,
} from "@sam/models";
import { multirate } from "@sam/multirate";
import * as tf from "@tensorflow/tfjs";

/**
 * One check's outcome: `values` are compared across platforms (the browser's cpu run against
 * Node's, to 1e-4); `problems` are failures found inside the run (a tensor leak, an SVG without a
 * line).
 */
export interface ScenarioResult {
  name: string;
  values: number[];
  problems: string[];
  ms: number;
  /** Why the check did not run on this backend. */
  skipped?: string;
}

/** How the scenarios run on the current backend. */
export interface ScenarioOptions {
  /**
   * No synchronous GPU reads (webgpu): SAM's per-step finiteness check (a `dataSync`) is off, and
   * `interpolate` gets `modelEvaluator({ asyncRead: true })`.
   */
  asyncReadsOnly?: boolean;
}

/** Tensor count must not grow between two identical rounds of `round` (run after a warm-up). */
async function tensorsStable(round: () => Promise<void>, problems: string[]): Promise<void> {
  await round();
  const before = tf.memory().numTensors;
  await round();
  const after = tf.memory().numTensors;
  if (after !== before) problems.push(`tensor count grew from ${before} to ${after} over one more round`);
}

const logitsLoss = (y: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits);

/** `model.fit` with an optimizer from `makeOptimizer` on two moons; returns the epoch losses. */
async function fitMoons(
  makeOptimizer: (model: tf.LayersModel) => tf.Optimizer,
  norm: "batch" | "none",
  problems: string[],
): Promise<number[]> {
  const model = mlp({
    inputDim: 2,
    widths: [16, 16],
    outputDim: 2,
    norm: norm === "batch" ? "batch" : undefined,
    seed: 3,
  });
  const { xs, ys } = toTensors(twoMoons({ n: 48, noise: 0.1, seed: 2 }));
  model.compile({ optimizer: makeOptimizer(model), loss: logitsLoss });
  const history = await model.fit(xs, ys, { epochs: 4, batchSize: 32, shuffle: false, verbose: 0 });
  const losses = history.history.loss as number[];
  await tensorsStable(async () => {
    await model.fit(xs, ys, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
  }, problems);
  tf.dispose([xs, ys]);
  model.dispose();
  return losses;
}

async function timed(name: string, body: (problems: string[]) => Promise<number[]>): Promise<ScenarioResult> {
  const problems: string[] = [];
  const t0 = performance.now();
  let values: number[] = [];
  try {
    values = await body(problems);
    if (values.some((v) => !Number.isFinite(v)))
      problems.push(`non-finite value in ${JSON.stringify(values)}`);
  } catch (e) {
    problems.push(`threw: ${(e as Error).stack ?? String(e)}`);
  }
  return { name, values, problems, ms: Math.round(performance.now() - t0) };
}

/** The tiny builds of every `@sam/models` builder, with in-memory inputs. */
const BUILDERS: {
  name: string;
  model: () => tf.LayersModel;
  input: (n: number) => tf.Tensor;
  classes: number;
}[] = [
  {
    name: "mlp",
    model: () => mlp({ inputDim: 4, widths: [8], outputDim: 3, seed: 1 }),
    input: (n) => rand([n, 4]),
    classes: 3,
  },
  {
    name: "smallConvNet",
    model: () => smallConvNet({ inputShape: [8, 8, 1], numClasses: 3, filters: [4, 8], seed: 1 }),
    input: (n) => rand([n, 8, 8, 1]),
    classes: 3,
  },
  {
    name: "cifarResNet",
    model: () => cifarResNet({ depth: 8, inputShape: [8, 8, 3], numClasses: 3, width: 4, seed: 1 }),
    input: (n) => rand([n, 8, 8, 3]),
    classes: 3,
  },
  {
    name: "wideResNet",
    model: () => wideResNet({ depth: 10, widen: 1, inputShape: [8, 8, 3], numClasses: 3, seed: 1 }),
    input: (n) => rand([n, 8, 8, 3]),
    classes: 3,
  },
  {
    name: "vit",
    model: () =>
      vit({ imageSize: 8, patchSize: 4, dim: 8, depth: 1, heads: 2, numClasses: 3, channels: 1, seed: 1 }),
    input: (n) => rand([n, 8, 8, 1]),
    classes: 3,
  },
  {
    name: "textTransformer",
    model: () =>
      textTransformer({ vocabSize: 12, seqLen: 6, dim: 8, depth: 1, heads: 2, numClasses: 3, seed: 1 }),
    input: (n) => {
      const rng = createRng(5);
      return tf.tensor2d(
        Array.from({ length: n * 6 }, () => rng.int(12)),
        [n, 6],
        "int32",
      );
    },
    classes: 3,
  },
];

/** Seeded uniform values in [0, 1) from the models' PRNG (identical on every platform). */
function rand(shape: number[]): tf.Tensor {
  const rng = createRng(shape.reduce((a, b) => a * b, 1));
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.uniform()),
    shape,
  );
}

/**
 * Runs every check on the current backend (the caller sets it) and returns the results. The same
 * code runs in Node and, bundled by esbuild, in the page.
 */
export async function runScenarios(options: ScenarioOptions = {}): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  // checkFinite reads each pass's loss with dataSync(); on webgpu that is a synchronous GPU read.
  const checkFinite = !options.asyncReadsOnly;
  out.push(
    await timed("SAM under model.fit", (p) =>
      fitMoons(
        (m) =>
          sam({
            params: collectParams(m),
            rule: sgd({ momentum: 0.9 }),
            defaults: { lr: 0.1 },
            rho: 0.05,
            checkFinite,
          }),
        "none",
        p,
      ),
    ),
  );
  out.push(
    await timed("SAM with BatchNorm under model.fit", (p) =>
      fitMoons(
        (m) =>
          sam({
            params: collectParams(m),
            rule: sgd({ momentum: 0.9 }),
            defaults: { lr: 0.1 },
            rho: 0.05,
            checkFinite,
          }),
        "batch",
        p,
      ),
    ),
  );
  out.push(
    // webgpu's own AddN returned a stale buffer for 8 or more inputs (SwiftShader binds at most 8
    // storage buffers a shader); @sam/backend's setupWebGpu splits the call (chunkedAddN)
    await timed("tf.addN of 2 to 16 tensors", async () => {
      const sums: number[] = [];
      for (const n of [2, 7, 8, 9, 16]) {
        const xs = Array.from({ length: n }, (_, i) => tf.fill([3], i + 1));
        const s = tf.addN(xs);
        sums.push((await s.data())[0]!);
        tf.dispose([...xs, s]);
      }
      return sums;
    }),
  );
  out.push(
    await timed("SAM-ON under model.fit", (p) =>
      fitMoons(
        (m) =>
          samOn({
            params: collectParams(m),
            rule: sgd({ momentum: 0.9 }),
            defaults: { lr: 0.1 },
            rho: 0.5,
            checkFinite,
          }),
        "batch",
        p,
      ),
    ),
  );
  out.push(
    await timed("Langevin rule (AdLaLa) under model.fit", (p) =>
      fitMoons((m) => adlala({ params: collectParams(m), seed: 1 }), "none", p),
    ),
  );
  out.push(
    await timed("multirate under model.fit", (p) =>
      fitMoons((m) => multirate(m, { k: 2, lr: 0.05, momentum: 0.9 }), "none", p),
    ),
  );
  // The newer SAM variants, each an oracle over momentum SGD under model.fit (ESAM with gamma = 1:
  // model.fit's loss is one scalar, so no data selection; its keep draws come from the seed).
  const variants: {
    name: string;
    oracle: () => GradientOracle;
    norm: "batch" | "none";
    syncRead?: string;
  }[] = [
    { name: "ESAM (beta 0.5)", oracle: () => esamOracle({ rho: 0.05, beta: 0.5, gamma: 1 }), norm: "batch" },
    {
      name: "AE-SAM",
      oracle: () => aeSamOracle({ rho: 0.05, c: 0 }),
      norm: "none",
      syncRead: "AE-SAM reads ||g||, its mean and variance each step with dataSync to choose the second pass",
    },
    {
      name: "Friendly-SAM",
      oracle: () => friendlySamOracle({ rho: 0.05, sigma: 1, lambda: 0.6 }),
      norm: "none",
    },
    { name: "Fisher-SAM", oracle: () => fisherSamOracle({ rho: 0.05, eta: 1 }), norm: "batch" },
  ];
  for (const v of variants) {
    const name = `${v.name} under model.fit`;
    if (options.asyncReadsOnly && v.syncRead) {
      out.push({
        name,
        values: [],
        problems: [],
        ms: 0,
        skipped: `no synchronous reads here: ${v.syncRead}`,
      });
      continue;
    }
    out.push(
      await timed(name, (p) =>
        fitMoons(
          (m) =>
            new GroupedOptimizer({
              params: collectParams(m),
              rule: sgd({ momentum: 0.9 }),
              defaults: { lr: 0.1 },
              oracle: v.oracle(),
              seed: 5,
            }),
          v.norm,
          p,
        ),
      ),
    );
  }
  out.push(
    await timed("interpolate and a plot spec rendered to SVG", async (problems) => {
      const model = mlp({ inputDim: 2, widths: [16], outputDim: 2, seed: 4 });
      const { xs, ys } = toTensors(twoMoons({ n: 32, noise: 0.1, seed: 3 }));
      const params = collectParams(model);
      const from = await captureStateAsync(params); // no synchronous read (webgpu)
      model.compile({ optimizer: tf.train.sgd(0.5), loss: logitsLoss });
      await model.fit(xs, ys, { epochs: 5, batchSize: 64, verbose: 0 });
      const to = await captureStateAsync(params);
      const before = tf.memory().numTensors;
      const result = await interpolate({
        params,
        from,
        to,
        alphas: [0, 0.5, 1],
        // webgpu: read the losses with await data() (no synchronous reads there).
        evaluate: modelEvaluator({ model, x: xs, y: ys, asyncRead: options.asyncReadsOnly ?? false }),
      });
      if (tf.memory().numTensors !== before)
        problems.push(`interpolate left ${tf.memory().numTensors - before} tensors`);
      const svg = await interpolationPlot(result).svg();
      if (!svg.startsWith("<svg") || !svg.includes("<path"))
        problems.push(`not an SVG with a line: ${svg.slice(0, 80)}`);
      tf.dispose([xs, ys]);
      model.dispose();
      return result.curves.flatMap((c) => c.loss.map((v) => v ?? Number.NaN));
    }),
  );
  out.push(
    // channel counts the compiled wasm kernels take (C, O multiples of 8), strides 1 and 2
    await timed("convolution and its two gradients, 8 -> 16 channels, strides 1 and 2", async () => {
      const values: number[] = [];
      for (const stride of [1, 2] as const) {
        const x = tf.tidy(() => tf.sin(tf.range(0, 2 * 9 * 9 * 8).reshape([2, 9, 9, 8])) as tf.Tensor4D);
        const w = tf.tidy(() => tf.cos(tf.range(0, 3 * 3 * 8 * 16).reshape([3, 3, 8, 16])) as tf.Tensor4D);
        // loss = mean of the squared outputs; values: mean |t| and the first three of each
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.mean(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, "same")));
        const [dx, dw] = tf.grads(f)([x, w]);
        const y = f(x, w);
        for (const t of [y, dx!, dw!])
          values.push(...(await tf.mean(tf.abs(t)).data()), ...(await t.data()).slice(0, 3));
        tf.dispose([x, w, dx!, dw!, y]);
      }
      return values;
    }),
  );
  for (const b of BUILDERS) {
    out.push(
      await timed(`${b.name}: two SGD steps with in-memory data`, async (problems) => {
        const model = b.model();
        const x = b.input(4);
        const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), b.classes);
        model.compile({ optimizer: tf.train.sgd(0.05), loss: logitsLoss });
        const losses: number[] = [];
        await tensorsStable(async () => {
          losses.push((await model.trainOnBatch(x, y)) as number);
        }, problems);
        tf.dispose([x, y]);
        model.dispose();
        return losses;
      }),
    );
  }
  return out;
}

/**
 * `steps` SAM steps (custom loop, losses read asynchronously) of a fixed seeded MLP on two moons,
 * on the current backend: the workload of `pnpm check:webgpu`.
 */
export async function samSteps(steps: number): Promise<number[]> {
  const model = mlp({ inputDim: 2, widths: [32, 32], outputDim: 2, seed: 7 });
  const { xs, ys } = toTensors(twoMoons({ n: 64, noise: 0.1, seed: 7 }));
  const optimizer = sam({
    params: collectParams(model),
    rule: sgd({ momentum: 0.9 }),
    defaults: { lr: 0.1 },
    rho: 0.05,
    checkFinite: false,
  });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    ) as tf.Scalar;
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  optimizer.dispose();
  tf.dispose([xs, ys]);
  model.dispose();
  return losses;
}

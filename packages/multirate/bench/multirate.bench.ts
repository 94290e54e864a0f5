/**
 * `pnpm bench:multirate`: transfer learning on the project's default backend (`setupBackend()` of
 * @sam/backend: tfjs-node where it is installed, else wasm with the training kernels;
 * `SAM_BACKEND=wasm|cpu|tensorflow` chooses), measured in one run.
 *
 * A small conv net is pretrained on the procedural shapes task A, saved, and its backbone is
 * loaded under a fresh head for task B (five other shapes). Then three fine-tuning runs, with
 * the same backbone, head initialization, data order, fast step size and momentum:
 *   full       momentum SGD on every parameter;
 *   head-only  momentum SGD on the head, the body frozen;
 *   multirate  k = 5, fast = head, slow = body, linear drift (Algorithm 1).
 * The runs advance in lockstep, one step of each per batch. Per-step times are measured around `minimize` (the cpu, wasm and tensorflow backends run
 * each kernel synchronously; webgl and webgpu are not supported here), so the
 * cost model ((k - 1) T_fast + T_slow) / k can be checked against the measured cycle time.
 * The last line of output is one JSON object.
 *
 * The learning rate follows a cosine decay to 0 over the fine-tuning in all three runs.
 *
 * Environment overrides (for exploring; the defaults are what the README reports):
 * MR_EPOCHS, MR_PRETRAIN_STEPS, MR_TRAIN, MR_K, MR_LR (peak fast step), MR_BATCH,
 * MR_BN (`train` or `frozen` BatchNorm statistics), MR_VERBOSE (test accuracy every epoch),
 * MR_BACKBONE (a directory to save the pretrained backbone in, and reuse on later runs).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectParams, cosineDecay, GroupedOptimizer, sgd } from "@sam/core";
import { batches, type Dataset, shapes, smallConvNet, toTensors } from "@sam/models";
import { loadBackbone, saveWeights } from "@sam/models/node";
import { setupBackend } from "@sam/backend";
import * as tf from "@tensorflow/tfjs";
import { describeSchedule, headSelector, multirate, multirateSpeedup } from "../src/index";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const K = env("MR_K", 5);
const EPOCHS = env("MR_EPOCHS", 12);
const PRETRAIN_STEPS = env("MR_PRETRAIN_STEPS", 200);
const TRAIN = env("MR_TRAIN", 640);
const LR = env("MR_LR", 0.005);
const MOMENTUM = 0.9;
const BATCH = env("MR_BATCH", 32);
const SIZE = 16;
const FILTERS = [8, 16];
const SEED = 7;

const backendChoice = await setupBackend();
console.log(`backend: ${backendChoice.backend} (${backendChoice.reason})`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const build = (numClasses: number) =>
  smallConvNet({ inputShape: [SIZE, SIZE, 3], numClasses, filters: FILTERS, seed: 3 });
const lossOf =
  (model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, training = true) =>
  () =>
    tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training }) as tf.Tensor) as tf.Scalar;
// BatchNorm during fine-tuning: "train" (default) uses batch statistics; "frozen" normalizes with the task-A statistics, so the
// loss does not depend on the batch's statistics and fast steps do not touch the body's state
// (spec section 1.4, BatchNorm caveat). The same in every run.
const BN_TRAINING = (process.env.MR_BN ?? "train") === "train";

function accuracy(model: tf.LayersModel, data: Dataset): number {
  const { xs, ys } = toTensors(data);
  const acc = tf.tidy(() => {
    const predicted = tf.argMax(model.predict(xs, { batchSize: 256 }) as tf.Tensor, -1);
    return tf.mean(tf.cast(tf.equal(predicted, tf.argMax(ys, -1)), "float32")).dataSync()[0]!;
  });
  tf.dispose([xs, ys]);
  return acc;
}

// 1. Pretraining on task A (Adam; short: the backbone only needs general features).
// MR_BACKBONE=<dir> reuses a checkpoint saved there by an earlier run (for exploring only).
const reuse = process.env.MR_BACKBONE;
const dir = reuse ?? mkdtempSync(join(tmpdir(), "multirate-bench-"));
if (!reuse || !existsSync(join(dir, "weights.bin"))) {
  const taskA = shapes({ n: 2000, task: "A", size: SIZE, seed: 1 });
  const pre = build(5);
  const preOptimizer = tf.train.adam(0.01);
  let step = 0;
  const t0 = performance.now();
  for (let epoch = 0; step < PRETRAIN_STEPS; epoch++) {
    for (const { xs, ys } of batches(taskA, { batchSize: 32, seed: 11, epoch, dropRemainder: true })) {
      if (step++ < PRETRAIN_STEPS) preOptimizer.minimize(lossOf(pre, xs, ys));
      tf.dispose([xs, ys]);
    }
  }
  const taskAAccuracy = accuracy(pre, shapes({ n: 500, task: "A", size: SIZE, seed: 2 }));
  console.log(
    `pretrained on task A: ${PRETRAIN_STEPS} Adam steps in ${((performance.now() - t0) / 1000).toFixed(1)} s, accuracy ${(100 * taskAAccuracy).toFixed(1)}%`,
  );
  await saveWeights(pre, dir);
}

// 2. Task B: five other shapes, a fresh head.
const trainB = shapes({ n: TRAIN, task: "B", size: SIZE, seed: 3 });
const testB = shapes({ n: 1000, task: "B", size: SIZE, seed: 4 });

interface Run {
  name: string;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  seconds: number;
  stepMs: number[];
  accuracy: number;
}

async function makeRun(name: string, makeOptimizer: (model: tf.LayersModel) => tf.Optimizer): Promise<Run> {
  const model = build(5);
  await loadBackbone(model, dir); // same backbone; the head keeps its seeded initialization
  return { name, model, optimizer: makeOptimizer(model), seconds: 0, stepMs: [], accuracy: 0 };
}

// The learning rate decays to 0 on a cosine over the fine-tuning (read by every group at every
// step; the multirate slow step is k times the current value), so each run ends at a settled point.
const hyper = { lr: cosineDecay(LR, EPOCHS * Math.floor(TRAIN / BATCH)), momentum: MOMENTUM };
let schedule = "";
const full = await makeRun(
  "full",
  (model) => new GroupedOptimizer({ params: collectParams(model), defaults: hyper, rule: sgd() }),
);
const headOnly = await makeRun(
  "head-only",
  (model) =>
    new GroupedOptimizer({
      params: collectParams(model),
      groups: [{ label: "head", select: headSelector(model) }],
      onUnmatched: "ignore",
      defaults: hyper,
      rule: sgd(),
    }),
);
const multi = await makeRun("multirate", (model) => {
  const optimizer = multirate(model, { k: K, ...hyper });
  schedule = String(describeSchedule(optimizer, { steps: K + 1 }));
  return optimizer;
});
const runs = [full, headOnly, multi];

// The three runs advance in lockstep on the same batches (same data order): each minimize is
// timed on its own, so load from other processes on the machine falls on all three alike.
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  for (const { xs, ys } of batches(trainB, { batchSize: BATCH, seed: SEED, epoch, dropRemainder: true })) {
    for (const run of runs) {
      const start = performance.now();
      run.optimizer.minimize(lossOf(run.model, xs, ys, BN_TRAINING));
      const ms = performance.now() - start;
      run.stepMs.push(ms);
      run.seconds += ms / 1000;
    }
    tf.dispose([xs, ys]);
  }
  if (process.env.MR_VERBOSE) {
    console.log(
      `epoch ${epoch}: ${runs.map((r) => `${r.name} ${(100 * accuracy(r.model, testB)).toFixed(1)}%`).join("  ")}`,
    );
  }
}
for (const run of runs) {
  run.accuracy = accuracy(run.model, testB);
  console.log(
    `${run.name.padEnd(10)} ${run.seconds.toFixed(1).padStart(6)} s  test accuracy ${(100 * run.accuracy).toFixed(1)}%`,
  );
}
console.log(schedule);
for (const run of runs) {
  run.optimizer.dispose();
  run.model.dispose();
}
if (!reuse) rmSync(dir, { recursive: true, force: true });

// 3. The cost model against the measurements (first cycle dropped as warm-up).
const tFull = median(full.stepMs.slice(K));
const slowSteps = multi.stepMs.filter((_, i) => i % K === 0).slice(1);
const fastSteps = multi.stepMs.filter((_, i) => i % K !== 0).slice(K - 1);
const tSlow = median(slowSteps);
const tFast = median(fastSteps);
const rho = tFast / tFull;
const cycles = Math.floor(multi.stepMs.length / K);
const cycleMs: number[] = [];
for (let c = 1; c < cycles; c++)
  cycleMs.push(multi.stepMs.slice(c * K, (c + 1) * K).reduce((a, b) => a + b, 0));
const modelCycleMs = (K - 1) * tFast + tSlow;
const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const result = {
  bench: "multirate",
  backend: tf.getBackend(),
  model: `smallConvNet ${SIZE}x${SIZE}x3 filters [${FILTERS.join(", ")}], head dense(5)`,
  task: `shapes A (${PRETRAIN_STEPS} Adam steps) -> shapes B, ${TRAIN} train / ${testB.size} test, ${EPOCHS} epochs, batch ${BATCH}`,
  k: K,
  lr: LR,
  momentum: MOMENTUM,
  steps: multi.stepMs.length,
  seconds: {
    full: round(full.seconds, 2),
    head_only: round(headOnly.seconds, 2),
    multirate: round(multi.seconds, 2),
  },
  accuracy: {
    full: round(full.accuracy),
    head_only: round(headOnly.accuracy),
    multirate: round(multi.accuracy),
  },
  step_ms: { full: round(tFull, 1), fast: round(tFast, 1), sync: round(tSlow, 1) },
  time_ratio: round(multi.seconds / full.seconds),
  accuracy_delta: round(multi.accuracy - full.accuracy),
  head_only_accuracy_delta: round(headOnly.accuracy - full.accuracy),
  fast_step_over_full_step: round(rho),
  predicted_speedup: round(multirateSpeedup(K, rho), 3),
  measured_speedup: round(full.seconds / multi.seconds, 3),
  cycle_ms_measured: round(median(cycleMs), 1),
  cycle_ms_model: round(modelCycleMs, 1),
  cycle_over_model: round(median(cycleMs) / modelCycleMs),
  pass: multi.seconds / full.seconds <= 0.6 && multi.accuracy - full.accuracy >= -0.01,
};
console.log(JSON.stringify(result));

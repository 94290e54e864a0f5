/**
 * The demo (`pnpm demo`): transfer learning on real digits.
 *
 * A CIFAR ResNet-8 pretrained on the MNIST digits 0-4 (16x16; weights shipped in ../weights,
 * made by `pnpm --filter @sam/example-transfer-demo pretrain`) is fine-tuned on the digits 5-9
 * five ways: momentum SGD on every layer, the head
 * only, multirate (head fast, body slow, k = 5), SAM and SAM-ON. It prints a table
 * (accuracy, wall time, speed-up over full fine-tuning), plots the loss along the straight
 * line from the pretrained to the fine-tuned weights one block at a time (Vlaar & Frankle
 * 2022) as SVG and PNG, and writes everything to demo-output/report.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "@sam/backend";
import { collectParams } from "@sam/core";
import { formatTable, progressBar } from "@sam/examples-kit";
import { alphaGrid, captureState, interpolate, interpolationPlot, modelEvaluator } from "@sam/landscape";
import { writePlot } from "@sam/landscape/node";
import { getSamMeta, sliceDataset, toTensors } from "@sam/models";
import { loadBackbone } from "@sam/models/node";
import { type FineTuneOptions, fineTune, METHODS } from "./fineTune";
import { buildModel, DEMO, digitsTask } from "./setup";

const out = new URL("../demo-output", import.meta.url).pathname;
const quick = Boolean(process.env.SAM_DEMO_QUICK);
const started = performance.now();
const backend = await setupBackend();
console.log(`backend: ${backend.backend} (${backend.reason})\n`);

const { train, test } = await digitsTask("fine-tune", { train: quick ? 100 : 500, test: quick ? 100 : 1000 }, 21);
const options: FineTuneOptions = { epochs: quick ? 1 : 10, batchSize: 32, lr: 0.02, k: 5, seed: 7, progress: true };

// Warm-up: the first step of a network shape creates the backend's kernels and buffers;
// timed fine-tunes must not pay for it.
const warmup = sliceDataset(train, 0, options.batchSize);
(await fineTune("sgd", warmup, warmup, { ...options, epochs: 1, progress: false })).model.dispose();

const results = [];
for (const method of METHODS) results.push(await fineTune(method, train, test, options));
const full = results.find((r) => r.method === "sgd")!;
const rows = results.map((r) => ({
  method: r.method,
  "test accuracy": `${(r.testAccuracy * 100).toFixed(1)}%`,
  "train loss": r.trainLoss.toFixed(3),
  seconds: r.seconds.toFixed(1),
  "speed-up": `${(full.seconds / r.seconds).toFixed(2)}x`,
}));
console.log(`\nfine-tuning on digits 5-9: ${train.size} images, ${options.epochs} epochs, batch ${options.batchSize}; test on ${test.size} images\n`);
console.log(formatTable(rows));

// Per-block linear interpolation from the pretrained start to the SGD fine-tuned weights.
const start = buildModel(options.seed);
await loadBackbone(start as never, DEMO.weightsDir);
const params = collectParams(full.model as never);
const from = captureState(collectParams(start as never));
const to = captureState(params);
const meta = getSamMeta(full.model as never)!;
const groups = meta.blocks.map((name, index) => ({ label: name, select: { block: index } }));
const alphas = alphaGrid(0, 1, quick ? 3 : 11);
const probe = toTensors(test);
const bar = progressBar("interpolate per block", (groups.length + 1) * alphas.length);
const interpolation = await interpolate({
  params,
  from,
  to,
  evaluate: modelEvaluator({ model: full.model as never, x: probe.xs, y: probe.ys, batchSize: 250 }),
  groups,
  alphas,
  classes: DEMO.classes,
  onProgress: () => bar.tick(),
});
bar.done();
mkdirSync(out, { recursive: true });
const files = await writePlot(interpolationPlot(interpolation, { title: "Fine-tuning: loss from the pretrained to the fine-tuned weights, one block at a time" }), `${out}/interpolation`);
const report = {
  backend: backend.backend,
  quick,
  data: { train: train.size, test: test.size, imageSize: DEMO.size, classes: DEMO.classes },
  options,
  results: results.map(({ model: _m, ...r }) => ({ ...r, speedUp: full.seconds / r.seconds })),
  interpolation,
  seconds: (performance.now() - started) / 1000,
};
writeFileSync(`${out}/report.json`, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${files.svg}\n      ${files.png}\n      ${out}/report.json\n(total ${report.seconds.toFixed(0)} s)`);
tf.dispose([probe.xs, probe.ys]);

/**
 * Transfer learning on the procedural `shapes` tasks: pretrain a small conv net on task A, then
 * fine-tune on a small task-B set, against the same network trained on task B from scratch.
 * Prints test accuracies on task B. Run: `npx tsx bench/shapesTransfer.ts` (cpu backend with the bench-only fast filter gradient; a few minutes).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { batches, type Dataset, shapes, smallConvNet, toTensors } from "../src/index";
import { loadBackbone, saveWeights } from "../src/node";
import { useFastCpuConvFilterGrad } from "./fastCpuConvGrad";

await tf.setBackend("cpu");
useFastCpuConvFilterGrad();
const size = 16;
const net = (numClasses: number, seed: number) =>
  smallConvNet({ inputShape: [size, size, 3], numClasses, filters: [16, 32], seed });

function train(model: tf.LayersModel, ds: Dataset, epochs: number, lr: number): void {
  const opt = tf.train.adam(lr);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const { xs, ys } of batches(ds, { batchSize: 32, seed: 1, epoch })) {
      const loss = opt.minimize(
        () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
        true,
      );
      tf.dispose([xs, ys, loss as tf.Scalar]);
    }
  }
  opt.dispose();
}

function accuracy(model: tf.LayersModel, ds: Dataset): number {
  const { xs, ys } = toTensors(ds, { oneHot: false });
  const acc = tf.tidy(() =>
    tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(xs) as tf.Tensor, -1), ys), "float32")),
  );
  const v = acc.dataSync()[0]!;
  tf.dispose([xs, ys, acc]);
  return v;
}

const t0 = performance.now();
const taskA = shapes({ n: 1200, task: "A", size, noise: 0.03, seed: 1 });
const trainB = shapes({ n: 150, task: "B", size, noise: 0.03, seed: 2 });
const testB = shapes({ n: 500, task: "B", size, noise: 0.03, seed: 3 });

const pre = net(5, 1);
train(pre, taskA, 3, 0.005);
const testA = shapes({ n: 500, task: "A", size, noise: 0.03, seed: 4 });
console.log(`task A test accuracy after pretraining: ${accuracy(pre, testA).toFixed(3)}`);
const dir = await mkdtemp(join(tmpdir(), "shapes-transfer-"));
await saveWeights(pre, join(dir, "taskA"));

const fine = net(5, 2);
const report = await loadBackbone(fine, join(dir, "taskA"));
const scratch = net(5, 2);
train(fine, trainB, 8, 0.003);
train(scratch, trainB, 8, 0.003);
console.log(
  `task B (150 training images) test accuracy: fine-tuned ${accuracy(fine, testB).toFixed(3)}, scratch ${accuracy(scratch, testB).toFixed(3)}`,
);
console.log(
  `loaded ${report.loaded.length}, initialized ${report.initialized.join(", ")}; ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);
await rm(dir, { recursive: true, force: true });

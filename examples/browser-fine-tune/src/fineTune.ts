import { collectParams, GroupedOptimizer, type ParamSet, sam, samOn, sgd } from "@sam/core";
import { captureState, type ParamState } from "@sam/landscape";
import { batches, type Dataset, mlp, type SamModel } from "@sam/models";
import * as tf from "@tensorflow/tfjs";

/** The three methods the page compares. */
export const METHODS = ["SGD", "SAM", "SAM-ON"] as const;
export type Method = (typeof METHODS)[number];

/**
 * The settings (one place, shown on the page): momentum SGD with lr 0.05; SAM with rho 0.05
 * (Foret et al.'s CIFAR value); SAM-ON (perturbs only the normalization parameters) with
 * rho 0.5, the larger radius its paper uses since it perturbs far fewer parameters.
 */
export const SETTINGS = {
  lr: 0.05,
  momentum: 0.9,
  samRho: 0.05,
  samOnRho: 0.5,
  epochs: 3,
  batchSize: 32,
  seed: 1,
};

/** The network: 784 -> 128 -> 64 -> 5, batch norm after each hidden layer; `head` is replaced. */
export function buildNet(seed: number): SamModel {
  return mlp({ inputDim: 784, widths: [128, 64], outputDim: 5, norm: "batch", seed });
}

/** MNIST images `[28, 28, 1]` as flat `[784]` vectors (same buffer). */
export function flatten(ds: Dataset): Dataset {
  return { ...ds, xShape: [784] };
}

function makeOptimizer(method: Method, params: ParamSet): tf.Optimizer {
  const { lr, momentum, samRho, samOnRho } = SETTINGS;
  const rule = sgd({ momentum });
  if (method === "SAM") return sam({ params, rule, defaults: { lr }, rho: samRho });
  if (method === "SAM-ON") return samOn({ params, rule, defaults: { lr }, rho: samOnRho });
  return new GroupedOptimizer({ params, rule, defaults: { lr } });
}

/** Accuracy of `model` on `ds` (argmax of logits against the labels). */
export function accuracy(model: tf.LayersModel, ds: Dataset): number {
  return tf.tidy(() => {
    const x = tf.tensor2d(ds.xs as Float32Array, [ds.size, 784]);
    const pred = (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    let hit = 0;
    for (let i = 0; i < ds.size; i++) if (pred[i] === ds.ys[i]) hit++;
    return hit / ds.size;
  });
}

/** One fine-tuning run's outcome. */
export interface RunResult {
  method: Method;
  model: SamModel;
  /** The state right after the pretrained body was loaded (the head fresh), and at the end. */
  from: ParamState;
  to: ParamState;
  losses: number[];
  accuracyBefore: number;
  accuracyAfter: number;
  seconds: number;
}

/**
 * Fine-tunes a fresh network whose body (every layer but the head) is copied from `pretrained`:
 * `SETTINGS.epochs` epochs of mini-batches on `train` with `method`, calling `onStep` after every
 * step with the batch loss (read asynchronously, so the page stays live).
 */
export async function fineTune(
  method: Method,
  pretrained: tf.LayersModel,
  train: Dataset,
  test: Dataset,
  onStep: (step: number, loss: number) => void | Promise<void>,
): Promise<RunResult> {
  const t0 = performance.now();
  const model = buildNet(SETTINGS.seed + 1);
  for (const layer of model.layers) {
    if (model.samMeta.head.includes(layer.name) || layer.weights.length === 0) continue;
    layer.setWeights(pretrained.getLayer(layer.name).getWeights());
  }
  const params = collectParams(model);
  const from = captureState(params);
  const accuracyBefore = accuracy(model, test);
  const optimizer = makeOptimizer(method, params);
  const losses: number[] = [];
  let step = 0;
  for (let epoch = 0; epoch < SETTINGS.epochs; epoch++) {
    for (const { xs, ys } of batches(train, { batchSize: SETTINGS.batchSize, seed: SETTINGS.seed, epoch })) {
      const loss = optimizer.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      ) as tf.Scalar;
      const value = (await loss.data())[0]!;
      tf.dispose([xs, ys, loss]);
      losses.push(value);
      await onStep(++step, value);
    }
  }
  optimizer.dispose();
  return {
    method,
    model,
    from,
    to: captureState(params),
    losses,
    accuracyBefore,
    accuracyAfter: accuracy(model, test),
    seconds: (performance.now() - t0) / 1000,
  };
}

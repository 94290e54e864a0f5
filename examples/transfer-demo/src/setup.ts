import * as tf from "@tensorflow/tfjs";
import { cifarResNet, type Dataset, mnistDigits } from "@sam/models";

/** The demo's fixed choices, in one place. */
export const DEMO = {
  /** CIFAR ResNet-8 (one basic block per stage), 16 channels in the first stage. */
  depth: 8,
  width: 16,
  /** The digits are resized from 28x28 to this side (bilinear), which keeps the demo within 3 minutes on 2 cores. */
  size: 16,
  classes: 5,
  /** Pretraining on digits 0-4, fine-tuning on digits 5-9 (each relabelled 0..4). */
  pretrainDigits: [0, 1, 2, 3, 4],
  fineTuneDigits: [5, 6, 7, 8, 9],
  weightsDir: new URL("../weights", import.meta.url).pathname,
} as const;

/** The backbone network, with a head of `classes` outputs. */
export function buildModel(seed: number): tf.LayersModel {
  return cifarResNet({
    depth: DEMO.depth,
    width: DEMO.width,
    numClasses: DEMO.classes,
    inputShape: [DEMO.size, DEMO.size, 1],
    seed,
  }) as unknown as tf.LayersModel;
}

/** The examples `[from, from + n)` of `ds`, as a data set of `DEMO.size` x `DEMO.size` images. */
function resized(ds: Dataset, from: number, n: number): Dataset {
  const xs = tf.tidy(() => {
    const images = tf.tensor4d(ds.xs.slice(from * 784, (from + n) * 784) as Float32Array, [n, 28, 28, 1]);
    return tf.image.resizeBilinear(images, [DEMO.size, DEMO.size]).dataSync() as Float32Array;
  });
  return { ...ds, xs, xShape: [DEMO.size, DEMO.size, 1], ys: ds.ys.slice(from, from + n), size: n };
}

/**
 * Real MNIST digits (the `mnist` package's 10,000, through `mnistDigits`): the pretraining task
 * (digits 0-4) or the fine-tuning task (digits 5-9), each relabelled 0..4, in the order `seed`
 * shuffles them: the first `test` examples are the test set, the next `train` the training set
 * (disjoint).
 */
export async function digitsTask(
  which: "pretrain" | "fine-tune",
  sizes: { train: number; test: number },
  seed: number,
): Promise<{ train: Dataset; test: Dataset }> {
  const digits = which === "pretrain" ? DEMO.pretrainDigits : DEMO.fineTuneDigits;
  const { train: all } = await mnistDigits({ digits, labels: "index", testFraction: 0, seed });
  if (all.size < sizes.train + sizes.test) {
    throw new Error(`digitsTask: digits ${digits.join(",")} number ${all.size}, fewer than ${sizes.train + sizes.test}.`);
  }
  return { test: resized(all, 0, sizes.test), train: resized(all, sizes.test, sizes.train) };
}

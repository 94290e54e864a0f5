import * as tf from "@tensorflow/tfjs";
import { cifarResNet, type Dataset, shapes } from "@sam/models";

/** The demo's fixed choices, in one place. */
export const DEMO = {
  /** CIFAR ResNet-8 (one basic block per stage), 16 channels in the first stage. */
  depth: 8,
  width: 16,
  size: 16,
  /** Pixel noise of the generated images. */
  noise: 0.25,
  classes: 5,
  weightsDir: new URL("../weights", import.meta.url).pathname,
} as const;

/** The backbone network, with a head of `classes` outputs. */
export function buildModel(seed: number): tf.LayersModel {
  return cifarResNet({
    depth: DEMO.depth,
    width: DEMO.width,
    numClasses: DEMO.classes,
    inputShape: [DEMO.size, DEMO.size, 3],
    seed,
  }) as unknown as tf.LayersModel;
}

/** Task A (pretraining: disc, square, triangle, plus, diamond) or B (fine-tuning: ring, frame, ...). */
export function task(which: "A" | "B", n: number, seed: number): Dataset {
  return shapes({ n, task: which, size: DEMO.size, noise: DEMO.noise, numClasses: DEMO.classes, seed });
}

import * as tf from "@tensorflow/tfjs";
import { collectParams, cosineDecay, GroupedOptimizer, sgd } from "@sam/core";
import { trainClassifier } from "@sam/examples-kit";
import { captureState, type InterpolationResult, interpolate, modelEvaluator } from "@sam/landscape";
import { cifarResNet, getSamMeta, shapes, toTensors } from "@sam/models";

/** Options of {@link layerwiseInterpolation}. */
export interface LayerwiseOptions {
  readonly trainImages: number;
  readonly testImages: number;
  readonly epochs: number;
  /** Points on the alpha grid in [0, 1]. */
  readonly points: number;
  readonly seed?: number;
  readonly progress?: (done: number, total: number) => void;
}

/**
 * Vlaar & Frankle 2022's measurement: train a CIFAR ResNet-8 from its initialization
 * theta_0 to theta_1 on the generated shapes task, then evaluate the loss along
 * theta(alpha) = (1 - alpha) theta_0 + alpha theta_1 for the whole network and for one block
 * at a time (the other blocks held at theta_1), on the training and the test images. Per
 * block, alpha = 0 is "this block reset to its initialization": blocks whose curves stay
 * flat are the ones the solution does not depend on.
 */
export async function layerwiseInterpolation(o: LayerwiseOptions): Promise<InterpolationResult> {
  const seed = o.seed ?? 1;
  const train = shapes({ n: o.trainImages, task: "A", size: 16, noise: 0.25, seed });
  const test = shapes({ n: o.testImages, task: "A", size: 16, noise: 0.25, seed: seed + 1 });
  const model = cifarResNet({ depth: 8, width: 16, numClasses: 5, inputShape: [16, 16, 3], seed }) as unknown as tf.LayersModel;
  const params = collectParams(model as never);
  const initial = captureState(params);
  const steps = o.epochs * Math.ceil(train.size / 50);
  const optimizer = new GroupedOptimizer({ params, rule: sgd(), defaults: { lr: cosineDecay(0.1, steps), momentum: 0.9, weightDecay: 5e-4 } });
  trainClassifier(model, optimizer, train, { epochs: o.epochs, batchSize: 50, seed });
  optimizer.dispose();
  const trained = captureState(params);
  const meta = getSamMeta(model as never)!;
  const trainSet = toTensors(train);
  const testSet = toTensors(test);
  const points = o.points;
  const groups = meta.blocks.map((name, index) => ({ label: name, select: { block: index } }));
  let done = 0;
  const total = (groups.length + 1) * points * 2;
  const result = await interpolate({
    params,
    from: initial,
    to: trained,
    evaluate: {
      train: modelEvaluator({ model: model as never, x: trainSet.xs, y: trainSet.ys, batchSize: 250 }),
      test: modelEvaluator({ model: model as never, x: testSet.xs, y: testSet.ys, batchSize: 250 }),
    },
    groups,
    alphas: Array.from({ length: points }, (_, i) => i / (points - 1)),
    classes: 5,
    onProgress: () => o.progress?.(++done, total),
  });
  tf.dispose([trainSet.xs, trainSet.ys, testSet.xs, testSet.ys]);
  model.dispose();
  return result;
}

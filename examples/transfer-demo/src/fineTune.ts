import * as tf from "@tensorflow/tfjs";
import { collectParams, cosineDecay, GroupedOptimizer, sam, samOn, sgd } from "@sam/core";
import { accuracy, trainClassifier } from "@sam/examples-kit";
import type { Dataset } from "@sam/models";
import { loadBackbone } from "@sam/models/node";
import { multirate } from "@sam/multirate";
import { buildModel, DEMO } from "./setup";

/** The fine-tuning methods the demo compares. */
export const METHODS = ["sgd", "head-only", "multirate", "sam", "sam-on"] as const;
export type Method = (typeof METHODS)[number];

/** Fine-tuning settings shared by every method. */
export interface FineTuneOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate of momentum SGD, cosine-decayed to 0 (multirate's fast step; its slow step is k times larger). */
  readonly lr: number;
  readonly k: number;
  readonly seed: number;
  readonly progress?: boolean;
}

/** What one method produced. */
export interface FineTuneResult {
  method: Method;
  testAccuracy: number;
  seconds: number;
  trainLoss: number;
  model: tf.LayersModel;
}

function optimizerFor(method: Method, model: tf.LayersModel, o: FineTuneOptions, steps: number): tf.Optimizer {
  const params = collectParams(model as never);
  const lr = cosineDecay(o.lr, steps);
  const defaults = { lr, momentum: 0.9, weightDecay: 5e-4 };
  switch (method) {
    case "sgd":
      return new GroupedOptimizer({ params, rule: sgd(), defaults });
    case "head-only":
      // only the head is trained: no gradient is requested for the body at all
      return new GroupedOptimizer({ params, groups: [{ label: "head", select: { path: "head/*" } }], onUnmatched: "ignore", rule: sgd(), defaults });
    case "multirate":
      return multirate(model as never, { k: o.k, lr, momentum: 0.9, weightDecay: 5e-4 });
    case "sam":
      return sam({ params, rule: sgd(), defaults, rho: 0.05 });
    case "sam-on":
      return samOn({ params, rule: sgd(), defaults, rho: 0.5 });
  }
}

/**
 * Loads the pretrained backbone into a fresh network (new head), fine-tunes it on `train`
 * with `method`, and measures wall time and test accuracy. Every method starts from the
 * same weights and sees the same batches.
 */
export async function fineTune(method: Method, train: Dataset, test: Dataset, o: FineTuneOptions): Promise<FineTuneResult> {
  const model = buildModel(o.seed);
  await loadBackbone(model as never, DEMO.weightsDir);
  const optimizer = optimizerFor(method, model, o, o.epochs * Math.ceil(train.size / o.batchSize));
  const { seconds, losses } = trainClassifier(model, optimizer, train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: o.seed,
    ...(o.progress ? { label: `fine-tune ${method}` } : {}),
  });
  optimizer.dispose();
  return { method, testAccuracy: accuracy(model, test), seconds, trainLoss: losses.at(-1)!, model };
}

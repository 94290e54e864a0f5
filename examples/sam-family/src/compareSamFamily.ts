import * as tf from "@tensorflow/tfjs";
import { adamw, asam, collectParams, GroupedOptimizer, type Hyper, sam, samOn, sgd } from "@sam/core";
import { accuracy, trainClassifier } from "@sam/examples-kit";
import { cifarResNet, type Dataset, shapes, vit } from "@sam/models";

/** One configuration of the comparison. */
export interface SamFamilyOptions {
  /** `resnet20` (CIFAR ResNet-20, BatchNorm) or `vit` (small ViT, LayerNorm). */
  readonly model: "resnet20" | "vit";
  /** Image side. */
  readonly size: number;
  readonly trainImages: number;
  readonly testImages: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Pixel noise of the generated images (harder task = more to gain from flat minima). */
  readonly noise: number;
  /** Base rule: momentum SGD (lr 0.05, ResNets) or AdamW (lr 1e-3, weight decay 0.05, as ViTs are trained). Default sgd. */
  readonly base?: "sgd" | "adamw";
  /** Show progress bars. */
  readonly progress?: boolean;
  readonly seed?: number;
}

/** One row of the result. */
export interface SamFamilyRow {
  method: string;
  rho: number | null;
  testAccuracy: number;
  trainLoss: number;
  seconds: number;
}

const METHODS = [
  { method: "sgd", rho: null },
  { method: "sam", rho: 0.05 },
  { method: "sam-on", rho: 0.5 },
  { method: "asam", rho: 0.5 },
] as const;

function build(o: SamFamilyOptions, classes: number): tf.LayersModel {
  const seed = o.seed ?? 1;
  if (o.model === "resnet20") {
    return cifarResNet({ depth: 20, numClasses: classes, inputShape: [o.size, o.size, 3], seed }) as unknown as tf.LayersModel;
  }
  return vit({ imageSize: o.size, patchSize: 4, dim: 32, depth: 2, heads: 2, mlpDim: 64, numClasses: classes, seed }) as unknown as tf.LayersModel;
}

/**
 * Trains the same initial network with the base rule alone, SAM, SAM-ON and ASAM
 * (elementwise, eta 0.01) on the generated "shapes" task and reports test accuracy and time. Every
 * method sees the same data order; SAM-family methods take the same number of steps
 * (so they cost about twice as much compute).
 */
export function compareSamFamily(o: SamFamilyOptions): SamFamilyRow[] {
  const seed = o.seed ?? 1;
  const train = shapes({ n: o.trainImages, task: "B", size: o.size, noise: o.noise, seed });
  const test = shapes({ n: o.testImages, task: "B", size: o.size, noise: o.noise, seed: seed + 1000 });
  const classes = train.numClasses ?? 5;
  const initial = build(o, classes);
  const weights = initial.getWeights().map((w) => w.clone());
  initial.dispose();
  const adamW = o.base === "adamw";
  const hyper: Hyper = adamW ? { lr: 1e-3, weightDecay: 0.05 } : { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 };
  return METHODS.map(({ method, rho }) => {
    const model = build(o, classes);
    model.setWeights(weights);
    const params = collectParams(model as never);
    const base = { params, rule: adamW ? adamw() : sgd(), defaults: hyper };
    const optimizer =
      method === "sgd"
        ? new GroupedOptimizer(base)
        : method === "sam"
          ? sam({ ...base, rho: rho! })
          : method === "sam-on"
            ? samOn({ ...base, rho: rho! })
            : asam({ ...base, rho: rho!, mode: "elementwise", eta: 0.01 });
    const { seconds, losses } = trainClassifier(model, optimizer, train as Dataset, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed,
      ...(o.progress ? { label: `${o.model} ${method}` } : {}),
    });
    const row = { method, rho, testAccuracy: accuracy(model, test), trainLoss: losses.at(-1)!, seconds };
    optimizer.dispose();
    model.dispose();
    return row;
  });
}

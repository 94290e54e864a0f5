import {
  adamw,
  asam,
  collectParams,
  cosineDecay,
  GroupedOptimizer,
  type Hyper,
  type HyperValue,
  sam,
  samOn,
  sgd,
  warmup,
} from "@sam/core";
import { accuracy, trainClassifier } from "@sam/examples-kit";
import { cifarResNet, type Dataset, shapes, vit } from "@sam/models";
import type * as tf from "@tensorflow/tfjs";

/** Shape of the small ViT (see `vit` in `@sam/models`). */
export interface VitShape {
  readonly patchSize: number;
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly mlpDim: number;
}

/** The ViT of the earlier runs: patch 4 (a 4x4 token grid at 16x16), 2 blocks, dim 32. */
export const DEFAULT_VIT: VitShape = { patchSize: 4, dim: 32, depth: 2, heads: 2, mlpDim: 64 };

/** The radius of each SAM-family method. */
export interface SamFamilyRhos {
  readonly sam: number;
  readonly samOn: number;
  readonly asam: number;
}

/** SAM 0.05, SAM-ON 0.5, ASAM 0.5 (elementwise, eta 0.01). */
export const DEFAULT_RHOS: SamFamilyRhos = { sam: 0.05, samOn: 0.5, asam: 0.5 };

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
  /** Peak learning rate. Default 0.05 (sgd) or 1e-3 (adamw). */
  readonly lr?: number;
  /** Weight decay. Default 5e-4 (sgd, L2) or 0.05 (adamw, decoupled). */
  readonly weightDecay?: number;
  /**
   * When set, the learning rate rises linearly over this many epochs and then follows a cosine
   * decay to 0 at the last step (the usual ViT schedule); when absent it is constant. Every
   * method gets the same schedule.
   */
  readonly warmupEpochs?: number;
  /**
   * Standardize each image on its own (every channel to mean 0, std 1 over the image's pixels),
   * as `tf.image.per_image_standardization` does. The shapes' foreground and background colours
   * are random per image; in this example's probes the small ViT learned nothing from raw (or
   * globally normalized) pixels within 8 epochs and did learn from standardized ones. Default false.
   */
  readonly standardize?: boolean;
  /** Radii. Default {@link DEFAULT_RHOS}. */
  readonly rhos?: SamFamilyRhos;
  /** ViT shape (ignored for the ResNet). Default {@link DEFAULT_VIT}. */
  readonly vit?: VitShape;
  /** Also measure the test accuracy after every epoch (the time this takes is not counted). Default false. */
  readonly curve?: boolean;
  /** Show progress bars. */
  readonly progress?: boolean;
  readonly seed?: number;
}

/** One row of the result. */
export interface SamFamilyRow {
  method: string;
  rho: number | null;
  testAccuracy: number;
  /** Mean training loss of the last epoch. */
  trainLoss: number;
  /** Training wall time, evaluation excluded. */
  seconds: number;
  /** `seconds / epochs`. */
  secondsPerEpoch: number;
  /** Test accuracy after each epoch (with `curve`). */
  testCurve?: number[];
}

const METHODS = ["sgd", "sam", "sam-on", "asam"] as const;

function build(o: SamFamilyOptions, classes: number): tf.LayersModel {
  const seed = o.seed ?? 1;
  if (o.model === "resnet20") {
    return cifarResNet({
      depth: 20,
      numClasses: classes,
      inputShape: [o.size, o.size, 3],
      seed,
    }) as unknown as tf.LayersModel;
  }
  const shape = o.vit ?? DEFAULT_VIT;
  return vit({ imageSize: o.size, ...shape, numClasses: classes, seed }) as unknown as tf.LayersModel;
}

/**
 * Each image's channels shifted and scaled to mean 0 and standard deviation 1 over its pixels
 * (the standard deviation is floored at 1/sqrt(pixels), as `tf.image.per_image_standardization` does).
 */
export function standardizeImages(ds: Dataset): Dataset {
  const channels = ds.xShape[ds.xShape.length - 1] ?? 1;
  const px = ds.xs.length / ds.size / channels;
  const floor = 1 / Math.sqrt(px);
  const xs = new Float32Array(ds.xs.length);
  for (let i = 0; i < ds.size; i++) {
    const base = i * px * channels;
    for (let c = 0; c < channels; c++) {
      let mean = 0;
      for (let p = 0; p < px; p++) mean += ds.xs[base + p * channels + c]!;
      mean /= px;
      let sq = 0;
      for (let p = 0; p < px; p++) sq += (ds.xs[base + p * channels + c]! - mean) ** 2;
      const std = Math.max(Math.sqrt(sq / px), floor);
      for (let p = 0; p < px; p++)
        xs[base + p * channels + c] = (ds.xs[base + p * channels + c]! - mean) / std;
    }
  }
  return { ...ds, xs };
}

/** The learning rate of the run: constant, or linear warm-up then cosine decay to 0 at the last step. */
export function learningRate(o: SamFamilyOptions, stepsPerEpoch: number): HyperValue {
  const peak = o.lr ?? (o.base === "adamw" ? 1e-3 : 0.05);
  if (o.warmupEpochs === undefined) return peak;
  const total = o.epochs * stepsPerEpoch;
  const warm = Math.min(Math.round(o.warmupEpochs * stepsPerEpoch), total - 1);
  return warmup(warm, cosineDecay(peak, total - warm));
}

/**
 * Trains the same initial network with the base rule alone, SAM, SAM-ON and ASAM
 * (elementwise, eta 0.01) on the generated "shapes" task and reports test accuracy and time. Every
 * method sees the same data order and learning-rate schedule; SAM-family methods take the same
 * number of steps (so they cost about twice as much compute).
 */
export function compareSamFamily(o: SamFamilyOptions): SamFamilyRow[] {
  const seed = o.seed ?? 1;
  let train = shapes({ n: o.trainImages, task: "B", size: o.size, noise: o.noise, seed });
  let test = shapes({ n: o.testImages, task: "B", size: o.size, noise: o.noise, seed: seed + 1000 });
  if (o.standardize) {
    train = standardizeImages(train);
    test = standardizeImages(test);
  }
  const classes = train.numClasses ?? 5;
  const initial = build(o, classes);
  const weights = initial.getWeights().map((w) => w.clone());
  initial.dispose();
  const adamW = o.base === "adamw";
  const stepsPerEpoch = Math.ceil(o.trainImages / o.batchSize);
  const lr = learningRate(o, stepsPerEpoch);
  const hyper: Hyper = adamW
    ? { lr, weightDecay: o.weightDecay ?? 0.05 }
    : { lr, momentum: 0.9, weightDecay: o.weightDecay ?? 5e-4 };
  const rhos = o.rhos ?? DEFAULT_RHOS;
  const rows = METHODS.map((method) => {
    const rho =
      method === "sgd" ? null : method === "sam" ? rhos.sam : method === "sam-on" ? rhos.samOn : rhos.asam;
    const name = method === "sgd" && adamW ? "adamw" : method;
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
    const testCurve: number[] = [];
    let evalSeconds = 0;
    const evaluate = () => {
      const t0 = performance.now();
      testCurve.push(accuracy(model, test));
      evalSeconds += (performance.now() - t0) / 1000;
    };
    const { seconds, losses } = trainClassifier(model, optimizer, train as Dataset, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed,
      ...(o.progress ? { label: `${o.model} ${name}` } : {}),
      ...(o.curve
        ? {
            beforeStep: (step: number) => {
              if (step > 0 && step % stepsPerEpoch === 0) evaluate();
            },
          }
        : {}),
    });
    const testAccuracy = accuracy(model, test);
    if (o.curve) testCurve.push(testAccuracy);
    const trainSeconds = seconds - evalSeconds;
    const row: SamFamilyRow = {
      method: name,
      rho,
      testAccuracy,
      trainLoss: losses.at(-1)!,
      seconds: trainSeconds,
      secondsPerEpoch: trainSeconds / o.epochs,
      ...(o.curve ? { testCurve } : {}),
    };
    optimizer.dispose();
    model.dispose();
    return row;
  });
  for (const w of weights) w.dispose();
  return rows;
}

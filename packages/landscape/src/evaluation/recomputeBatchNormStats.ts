import { SamConfigError } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import type { ApplyModel } from "./modelLoss";

/** The parts of a layers model {@link recomputeBatchNormStats} walks. */
export interface BatchNormModel extends ApplyModel {
  readonly layers: readonly unknown[];
}

interface LayerNode {
  getClassName(): string;
  momentum?: number;
  layers?: readonly unknown[];
}

function batchNormLayers(layers: readonly unknown[], out: LayerNode[] = []): LayerNode[] {
  for (const l of layers as LayerNode[]) {
    if (Array.isArray(l.layers) && l.layers.length > 0) batchNormLayers(l.layers, out);
    else if (typeof l.getClassName === "function" && l.getClassName() === "BatchNormalization") out.push(l);
  }
  return out;
}

/**
 * Re-estimates every BatchNorm layer's moving mean and variance at the current weights,
 * as SWA's `bn_update` does: train-mode forward passes over `batches` with the layers'
 * momentum set so the statistics become the example-weighted cumulative average of the
 * batch statistics (momentum 0 on the first batch, 1 - 1/k on the k-th), then the momentum
 * is put back. The weights are not touched; only the moving statistics change.
 *
 * @returns the number of BatchNorm layers updated.
 * @example
 * ```ts
 * import { recomputeBatchNormStats } from "@sam/landscape";
 *
 * recomputeBatchNormStats(model, [x.slice(0, 256)]); // statistics of the current weights
 * ```
 */
export function recomputeBatchNormStats(
  model: BatchNormModel,
  batches: tf.Tensor | readonly tf.Tensor[],
): number {
  if (!model || !Array.isArray(model.layers)) {
    throw new SamConfigError(
      `recomputeBatchNormStats model is ${typeof model}: pass the tf.LayersModel whose BatchNorm statistics to recompute.`,
    );
  }
  const list = Array.isArray(batches) ? (batches as readonly tf.Tensor[]) : [batches as tf.Tensor];
  if (list.length === 0) {
    throw new SamConfigError(
      "recomputeBatchNormStats got no batch: pass at least one input tensor (no augmentation).",
    );
  }
  const layers = batchNormLayers(model.layers);
  const saved = layers.map((l) => l.momentum);
  try {
    list.forEach((x, k) => {
      // Keras-style update: stat <- momentum * stat + (1 - momentum) * batchStat, so
      // momentum = 1 - 1/(k+1) keeps the running value the mean over the batches so far.
      for (const l of layers) l.momentum = k / (k + 1);
      tf.tidy(() => {
        model.apply(x, { training: true });
      });
    });
  } finally {
    layers.forEach((l, i) => {
      l.momentum = saved[i];
    });
  }
  return layers.length;
}

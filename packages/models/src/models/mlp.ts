import * as tfl from "@tensorflow/tfjs-layers";
import { BN_EPSILON, BN_MOMENTUM, checkPositiveInt, head, LN_EPSILON } from "../internal/layerFactory";
import { MetaRecorder } from "../internal/metaRecorder";
import type { SamModel } from "../samMeta";

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Input features. */
  inputDim: number;
  /** Hidden layer widths, e.g. `[64, 64]` (may be empty: a linear model). */
  widths: number[];
  /** Output units (classes, or 1 for regression / binary logits). */
  outputDim: number;
  /** Hidden activation. Default `'relu'`. */
  activation?: "relu" | "tanh" | "sigmoid" | "elu" | "gelu" | "swish" | "linear";
  /** Optional normalization after each hidden dense layer (before the activation). */
  norm?: "batch" | "layer";
  /** Head activation: `'linear'` (default) or `'softmax'`. */
  headActivation?: "linear" | "softmax";
  /** Initializer seed. Default 1. */
  seed?: number;
}

/**
 * A multilayer perceptron: for each hidden width `w_i`,
 * `h_i = act(norm_i(W_i h_{i-1} + b_i))`, then a dense `head`.
 *
 * Layers: `dense{i}`, `norm{i}` (only with `norm`), `act{i}`, `head`. Blocks: `layer{i}`, `head`.
 * With `norm` the hidden dense layers have no bias (the normalization's shift `beta` replaces it;
 * a bias before a mean-subtracting norm gets zero gradient). Kernels: Glorot-uniform.
 *
 * @param options - See {@link MlpOptions}.
 * @returns A functional `tf.LayersModel` `[batch, inputDim]` -> `[batch, outputDim]`, with `samMeta`.
 * @throws If a width or dimension is not a positive integer.
 *
 * @example
 * ```ts
 * const model = mlp({ inputDim: 2, widths: [32, 32], outputDim: 3, norm: 'layer', seed: 4 });
 * model.samMeta.blocks; // ['layer1', 'layer2', 'head']
 * ```
 */
export function mlp(options: MlpOptions): SamModel {
  const fn = "mlp";
  const { inputDim, widths, outputDim, activation = "relu", norm, headActivation, seed = 1 } = options;
  checkPositiveInt(fn, "inputDim", inputDim);
  checkPositiveInt(fn, "outputDim", outputDim);
  if (!Array.isArray(widths))
    throw new Error(`${fn}: widths must be an array of positive integers, e.g. [64, 64].`);
  for (const [i, w] of widths.entries()) checkPositiveInt(fn, `widths[${i}]`, w);
  if (norm !== undefined && norm !== "batch" && norm !== "layer") {
    throw new Error(`${fn}: norm must be 'batch', 'layer' or undefined, got '${norm}'.`);
  }
  const rec = new MetaRecorder(fn, seed);
  const input = tfl.input({ shape: [inputDim], name: "input" });
  let x = input;
  widths.forEach((w, idx) => {
    const i = idx + 1;
    rec.block(`layer${i}`);
    if (i === 1) rec.add(input.sourceLayer);
    x = rec
      .add(
        tfl.layers.dense({
          name: `dense${i}`,
          units: w,
          useBias: norm === undefined,
          kernelInitializer: tfl.initializers.glorotUniform({ seed: rec.nextSeed() }),
        }),
      )
      .apply(x) as tfl.SymbolicTensor;
    if (norm === "batch") {
      x = rec
        .add(tfl.layers.batchNormalization({ name: `norm${i}`, momentum: BN_MOMENTUM, epsilon: BN_EPSILON }))
        .apply(x) as tfl.SymbolicTensor;
    } else if (norm === "layer") {
      x = rec
        .add(tfl.layers.layerNormalization({ name: `norm${i}`, epsilon: LN_EPSILON }))
        .apply(x) as tfl.SymbolicTensor;
    }
    x = rec.add(tfl.layers.activation({ name: `act${i}`, activation })).apply(x) as tfl.SymbolicTensor;
  });
  rec.block("head");
  if (widths.length === 0) rec.add(input.sourceLayer);
  const out = head(rec, outputDim, headActivation).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out, name: "mlp" });
  return Object.assign(model, { samMeta: rec.finish(["head"]) });
}

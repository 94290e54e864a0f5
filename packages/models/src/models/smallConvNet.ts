import * as tfl from "@tensorflow/tfjs-layers";
import { batchNorm, checkPositiveInt, checkShape, conv, head, relu } from "../internal/layerFactory";
import { MetaRecorder } from "../internal/metaRecorder";
import type { SamModel } from "../samMeta";

/** Options of {@link smallConvNet}. */
export interface SmallConvNetOptions {
  /** Input shape `[height, width, channels]`. Default `[16, 16, 3]`. */
  inputShape?: [number, number, number];
  /** Number of classes. Default 10. */
  numClasses?: number;
  /** Channels per stage; each stage halves the resolution. Default `[8, 16]`. */
  filters?: number[];
  /** `'batch'` (default) adds BatchNorm after each conv; `'none'` gives conv+bias. */
  norm?: "batch" | "none";
  /** Head activation: `'linear'` (logits, default) or `'softmax'`. */
  headActivation?: "linear" | "softmax";
  /** Initializer seed. Default 1. */
  seed?: number;
}

/**
 * A small conv net for fast tests, demos and transfer learning on the `shapes` data set:
 * per stage `i`, `conv{i}` (3x3) -> `bn{i}` -> `relu{i}` -> `pool{i}` (2x2 max pool), then global
 * average pooling `pool` and a dense `head`. Blocks: `stage{i}`, `head`.
 *
 * @param options - See {@link SmallConvNetOptions}.
 * @returns A functional `tf.LayersModel` with `samMeta` attached.
 * @throws If a size is not a positive integer.
 *
 * @example
 * ```ts
 * const model = smallConvNet({ inputShape: [16, 16, 3], numClasses: 4, filters: [8, 16] });
 * model.samMeta.blocks; // ['stage1', 'stage2', 'head']
 * ```
 */
export function smallConvNet(options: SmallConvNetOptions = {}): SamModel {
  const fn = "smallConvNet";
  const {
    inputShape = [16, 16, 3],
    numClasses = 10,
    filters = [8, 16],
    norm = "batch",
    headActivation,
    seed = 1,
  } = options;
  checkShape(fn, "inputShape", inputShape, 3);
  checkPositiveInt(fn, "numClasses", numClasses);
  for (const [i, f] of filters.entries()) checkPositiveInt(fn, `filters[${i}]`, f);
  if (filters.length === 0) throw new Error(`${fn}: filters must list at least one stage, e.g. [8, 16].`);
  const rec = new MetaRecorder(fn, seed);
  const input = tfl.input({ shape: inputShape, name: "input" });
  let x = input;
  filters.forEach((f, idx) => {
    const i = idx + 1;
    rec.block(`stage${i}`);
    if (i === 1) rec.add(input.sourceLayer);
    x = conv(rec, `conv${i}`, f, 3, 1, norm === "none").apply(x) as tfl.SymbolicTensor;
    if (norm === "batch") x = batchNorm(rec, `bn${i}`).apply(x) as tfl.SymbolicTensor;
    x = relu(rec, `relu${i}`).apply(x) as tfl.SymbolicTensor;
    x = rec
      .add(tfl.layers.maxPooling2d({ name: `pool${i}`, poolSize: 2, strides: 2 }))
      .apply(x) as tfl.SymbolicTensor;
  });
  rec.block("head");
  x = rec.add(tfl.layers.globalAveragePooling2d({ name: "pool" })).apply(x) as tfl.SymbolicTensor;
  const logits = head(rec, numClasses, headActivation).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: logits, name: "small_convnet" });
  return Object.assign(model, { samMeta: rec.finish(["head"]) });
}

import * as tfl from "@tensorflow/tfjs-layers";
import { checkPositiveInt } from "../internal/layerFactory";
import { MetaRecorder } from "../internal/metaRecorder";
import { checkHeads, transformerEncoder } from "../internal/transformerBlock";
import { registerSamLayers } from "../layers/registerSamLayers";
import type { SamModel } from "../samMeta";

/** Options of {@link textTransformer}. */
export interface TextTransformerOptions {
  /** Vocabulary size; token ids are in `[0, vocabSize)`. */
  vocabSize: number;
  /** Sequence length (fixed). */
  seqLen: number;
  /** Token dimension. */
  dim: number;
  /** Number of transformer blocks. */
  depth: number;
  /** Attention heads; must divide `dim`. */
  heads: number;
  /** Hidden width of the block MLPs. Default `2 * dim`. */
  mlpDim?: number;
  /** Number of classes. */
  numClasses: number;
  /** Head activation: `'linear'` (logits, default) or `'softmax'`. */
  headActivation?: "linear" | "softmax";
  /** Initializer seed. Default 1. */
  seed?: number;
}

/**
 * A small transformer text classifier: token `Embedding` (`token_embed/embeddings`), learned
 * position embedding (`pos_embed/embeddings`, tagged `embedding`), `depth` pre-norm encoder blocks,
 * final LayerNorm `final_ln`, mean pooling over positions (`pool`) and a dense `head`.
 * Input: int32 token ids `[batch, seqLen]` (padding is an ordinary token; no mask).
 *
 * Blocks: `embed`, `block1` ... `block{depth}`, `head`.
 *
 * @param options - See {@link TextTransformerOptions}.
 * @returns A functional `tf.LayersModel` `[batch, seqLen]` -> `[batch, numClasses]` logits, with
 *   `samMeta` attached.
 * @throws If a size is not a positive integer or `dim` is not divisible by `heads`.
 *
 * @example
 * ```ts
 * const model = textTransformer({ vocabSize: 100, seqLen: 16, dim: 32, depth: 2, heads: 4, numClasses: 3 });
 * const logits = model.predict(tf.zeros([2, 16], 'int32')) as tf.Tensor; // [2, 3]
 * ```
 */
export function textTransformer(options: TextTransformerOptions): SamModel {
  const fn = "textTransformer";
  const { vocabSize, seqLen, dim, depth, heads, numClasses, headActivation, seed = 1 } = options;
  const mlpDim = options.mlpDim ?? 2 * dim;
  for (const [k, v] of Object.entries({ vocabSize, seqLen, dim, depth, heads, numClasses, mlpDim })) {
    checkPositiveInt(fn, k, v);
  }
  checkHeads(fn, dim, heads);
  registerSamLayers();
  const rec = new MetaRecorder(fn, seed);

  rec.block("embed");
  const input = tfl.input({ shape: [seqLen], name: "input", dtype: "int32" });
  rec.add(input.sourceLayer);
  const x = rec
    .add(
      tfl.layers.embedding({
        name: "token_embed",
        inputDim: vocabSize,
        outputDim: dim,
        embeddingsInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: rec.nextSeed() }),
      }),
    )
    .apply(input) as tfl.SymbolicTensor;
  const logits = transformerEncoder(rec, x, { dim, depth, heads, mlpDim, numClasses, headActivation });
  const model = tfl.model({ inputs: input, outputs: logits, name: "text_transformer" });
  return Object.assign(model, { samMeta: rec.finish(["head"]) });
}

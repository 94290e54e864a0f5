import * as tfl from "@tensorflow/tfjs-layers";
import { checkPositiveInt } from "../internal/layerFactory";
import { MetaRecorder } from "../internal/metaRecorder";
import { checkHeads, transformerEncoder } from "../internal/transformerBlock";
import { registerSamLayers } from "../layers/registerSamLayers";
import type { SamModel } from "../samMeta";

/** Options of {@link vit}. */
export interface VitOptions {
  /** Side of the square input image, divisible by `patchSize`. */
  imageSize: number;
  /** Side of the square patches. */
  patchSize: number;
  /** Token dimension `d`. */
  dim: number;
  /** Number of transformer blocks. */
  depth: number;
  /** Attention heads; must divide `dim`. */
  heads: number;
  /** Hidden width of the block MLPs. Default `2 * dim`. */
  mlpDim?: number;
  /** Number of classes. */
  numClasses: number;
  /** Image channels. Default 3. */
  channels?: number;
  /** Head activation: `'linear'` (logits, default) or `'softmax'`. */
  headActivation?: "linear" | "softmax";
  /** Initializer seed. Default 1. */
  seed?: number;
}

/**
 * A small Vision Transformer (Dosovitskiy et al. 2021) for CIFAR-sized images:
 * patch embedding (a `Conv2D` with kernel = stride = `patchSize`, named `patch_embed`), a learned
 * position embedding (`pos_embed/embeddings`, tagged `embedding`), `depth` pre-norm blocks
 * (LayerNorm, multi-head self-attention, GELU MLP), a final LayerNorm `final_ln`, global average
 * pooling over tokens (`pool`) instead of a class token (Beyer et al. 2022, "Better plain ViT
 * baselines", find it as good or better at this scale) and a dense `head`.
 *
 * Blocks: `embed`, `block1` ... `block{depth}`, `head` (which holds `final_ln`, `pool`, `head`).
 *
 * @param options - See {@link VitOptions}.
 * @returns A functional `tf.LayersModel` mapping `[batch, imageSize, imageSize, channels]` to
 *   `[batch, numClasses]` logits, with `samMeta` attached.
 * @throws If `imageSize` is not divisible by `patchSize` or `dim` not by `heads`.
 *
 * @example
 * ```ts
 * const model = vit({ imageSize: 32, patchSize: 4, dim: 64, depth: 4, heads: 4, numClasses: 10 });
 * model.samMeta.tags; // { 'pos_embed/embeddings': ['embedding'] }
 * ```
 */
export function vit(options: VitOptions): SamModel {
  const fn = "vit";
  const {
    imageSize,
    patchSize,
    dim,
    depth,
    heads,
    numClasses,
    channels = 3,
    headActivation,
    seed = 1,
  } = options;
  const mlpDim = options.mlpDim ?? 2 * dim;
  for (const [k, v] of Object.entries({
    imageSize,
    patchSize,
    dim,
    depth,
    heads,
    numClasses,
    channels,
    mlpDim,
  })) {
    checkPositiveInt(fn, k, v);
  }
  if (imageSize % patchSize !== 0) {
    throw new Error(
      `${fn}: imageSize (${imageSize}) must be divisible by patchSize (${patchSize}); e.g. 32 with 4.`,
    );
  }
  checkHeads(fn, dim, heads);
  registerSamLayers();
  const rec = new MetaRecorder(fn, seed);
  const grid = imageSize / patchSize;

  rec.block("embed");
  const input = tfl.input({ shape: [imageSize, imageSize, channels], name: "input" });
  rec.add(input.sourceLayer);
  let x = rec
    .add(
      tfl.layers.conv2d({
        name: "patch_embed",
        filters: dim,
        kernelSize: patchSize,
        strides: patchSize,
        padding: "valid",
        kernelInitializer: tfl.initializers.glorotUniform({ seed: rec.nextSeed() }),
      }),
    )
    .apply(input) as tfl.SymbolicTensor;
  x = rec
    .add(tfl.layers.reshape({ name: "tokens", targetShape: [grid * grid, dim] }))
    .apply(x) as tfl.SymbolicTensor;
  const logits = transformerEncoder(rec, x, { dim, depth, heads, mlpDim, numClasses, headActivation });
  const model = tfl.model({ inputs: input, outputs: logits, name: "vit" });
  return Object.assign(model, { samMeta: rec.finish(["head"]) });
}

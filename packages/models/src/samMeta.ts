/**
 * Model metadata that `@sam/models` builders attach to the models they return.
 *
 * `@sam/core` reads it structurally (this package does not depend on `@sam/core`): the ordered
 * block list drives per-block parameter groups and per-layer interpolation, `tags` adds tags that
 * the layer class alone does not imply, and `head` names the layers that transfer learning
 * re-initializes and multirate training moves fast.
 *
 * @example
 * ```ts
 * const { blocks, blockOfLayer, head } = cifarResNet({ depth: 20 }).samMeta;
 * blocks.length;                          // 11: stem, 9 residual blocks, head
 * blocks[blockOfLayer['stage3_block3_bn2']]; // 'stage3_block3'
 * head;                                   // ['head']
 * ```
 */
export interface SamModelMeta {
  /** Ordered block names, e.g. `['stem', 'stage1_block1', ..., 'head']`. */
  blocks: string[];
  /** Layer name -> index into `blocks`. Every layer of the model appears here, weighted or not. */
  blockOfLayer: Record<string, number>;
  /**
   * Extra tags for parameter paths (`layerName/weightName`), only where the layer class does not
   * already say it, e.g. `{ 'pos_embed/embeddings': ['embedding'] }`.
   */
  tags?: Record<string, string[]>;
  /** The name(s) of the head layer(s). */
  head: string[];
}

/**
 * Anything that may carry a `samMeta` property (a `tf.LayersModel` built by this package).
 *
 * @example
 * ```ts
 * const meta = (model as WithSamMeta).samMeta; // undefined for models from elsewhere
 * ```
 */
export interface WithSamMeta {
  samMeta?: SamModelMeta;
}

/**
 * Returns the {@link SamModelMeta} a builder of this package attached to `model`.
 *
 * @param model - A model returned by a builder such as `cifarResNet` (any object is accepted).
 * @returns The metadata.
 * @throws If `model` carries no `samMeta` (it was not built by `@sam/models`, or was reloaded with
 *   `tf.loadLayersModel`: use `loadModel`, which restores it).
 *
 * @example
 * ```ts
 * const model = cifarResNet({ depth: 20 });
 * const meta = getSamMeta(model);
 * meta.blocks[meta.blockOfLayer.stage2_block1_conv1]; // 'stage2_block1'
 * ```
 */
export function getSamMeta(model: object): SamModelMeta {
  const meta = (model as WithSamMeta).samMeta;
  if (meta === undefined || !Array.isArray(meta.blocks)) {
    throw new Error(
      "getSamMeta(model): the model has no `samMeta` property. Build it with an @sam/models builder " +
        "(cifarResNet, mlp, vit, ...) or reload it with loadModel(dir), which restores the metadata.",
    );
  }
  return meta;
}

/**
 * A `tf.LayersModel` built by this package: it carries its {@link SamModelMeta}.
 *
 * @example
 * ```ts
 * const model: SamModel = mlp({ inputDim: 2, widths: [8], outputDim: 2 });
 * model.samMeta.head; // ['head']
 * ```
 */
export type SamModel<M = import("@tensorflow/tfjs-layers").LayersModel> = M & { samMeta: SamModelMeta };

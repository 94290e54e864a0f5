import type * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import { type LayerInfo, type Param, ParamSet, type StateVariable, sizeOf } from "./param";
import { defaultTagRules, type TagRule, tagsFor } from "./tagRules";

/** The part of a tfjs-layers `LayerVariable` this package reads. */
export interface LayerVariableLike {
  readonly originalName: string;
  readonly name: string;
  readonly shape: readonly (number | null)[];
  readonly trainable: boolean;
  /** tfjs-layers types it as a Tensor; at run time it is the layer's `tf.Variable`. */
  read(): tf.Tensor;
}

/** The part of a tfjs-layers `Layer` this package reads (nested models have `layers`). */
export interface LayerLike {
  readonly name: string;
  getClassName(): string;
  readonly trainableWeights: readonly LayerVariableLike[];
  readonly nonTrainableWeights: readonly LayerVariableLike[];
  readonly layers?: readonly LayerLike[];
}

/**
 * Metadata a model builder may attach as `model.samMeta` (the `@sam/models` builders do):
 * its blocks, extra tags and head. Read structurally, so no model package is required.
 */
export interface SamModelMeta {
  /** Ordered block names, e.g. `['stem', 'stage1_block1', ..., 'head']`. */
  readonly blocks: readonly string[];
  /** Layer name to index into `blocks`. */
  readonly blockOfLayer: Readonly<Record<string, number>>;
  /** Extra tags by parameter path, where the layer class does not already say it. */
  readonly tags?: Readonly<Record<string, readonly string[]>>;
  /** Names of the head layers (transfer learning and multirate defaults). */
  readonly head?: readonly string[];
}

/** The part of a `tf.LayersModel` this package reads. */
export interface LayersModelLike {
  readonly name: string;
  readonly layers: readonly LayerLike[];
  readonly samMeta?: SamModelMeta;
}

/** Options of {@link collectParams}. */
export interface CollectParamsOptions {
  /** Rows tried before {@link defaultTagRules}: the way to tag custom layers. */
  readonly tagRules?: readonly TagRule[];
  /** Extra tags by exact parameter path, added to what the rules give. */
  readonly extraTags?: Readonly<Record<string, readonly string[]>>;
  /**
   * Block of each layer, by layer name: overrides `model.samMeta`. Return `undefined` for a
   * layer outside every block.
   */
  readonly blockOf?: (layerName: string) => { index: number; name?: string } | undefined;
  /** Include non-trainable weights as parameters too (default: they are state variables). */
  readonly includeNonTrainable?: boolean;
}

/**
 * Collects the trainable parameters of a `tf.LayersModel` (nested models included) into a
 * {@link ParamSet}, in model order, with tags from the tag table and blocks from the
 * model's `samMeta` when it has one. Non-trainable weights (BatchNorm moving statistics)
 * are recorded beside it as `stateVariables`.
 *
 * A parameter's `path` is its layer variable's original name (`layer/weight`), prefixed
 * with the nested model's name for weights of nested models (`encoder/dense1/kernel`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { collectParams } from "@sam/core";
 *
 * const model = tf.sequential({
 *   layers: [
 *     tf.layers.dense({ units: 4, inputShape: [2], name: "fc1" }),
 *     tf.layers.batchNormalization({ name: "bn1" }),
 *     tf.layers.dense({ units: 1, name: "head" }),
 *   ],
 * });
 * const params = collectParams(model);
 * params.paths(); // ["fc1/kernel", "fc1/bias", "bn1/gamma", "bn1/beta", "head/kernel", "head/bias"]
 * params.get("bn1/gamma").tags; // Set {"norm", "norm-scale"}
 * params.stateVariables.map((s) => s.path); // ["bn1/moving_mean", "bn1/moving_variance"]
 * ```
 */
export function collectParams(model: LayersModelLike, options: CollectParamsOptions = {}): ParamSet {
  if (!model || !Array.isArray(model.layers)) {
    throw new SamConfigError(
      `collectParams(model) needs a tf.LayersModel (an object with a 'layers' array), but got ${typeof model}. ` +
        "Pass the model itself, or use fromVariables() for plain variables.",
    );
  }
  const rules = [...(options.tagRules ?? []), ...defaultTagRules];
  const meta = model.samMeta;
  const params: Param[] = [];
  const state: StateVariable[] = [];
  const seen = new Set<string>();
  const leafLayers: LayerLike[] = [];
  let layerIndex = 0;

  const visit = (layers: readonly LayerLike[], prefix: string) => {
    for (const layer of layers) {
      if (Array.isArray(layer.layers) && layer.layers.length > 0) {
        visit(layer.layers, `${prefix}${layer.name}/`);
        continue;
      }
      const owns = layer.trainableWeights.length > 0;
      if ((owns || layer.nonTrainableWeights.length > 0) && !leafLayers.includes(layer))
        leafLayers.push(layer);
      const block = blockFor(layer.name, meta, options);
      const info: LayerInfo = {
        name: layer.name,
        className: layer.getClassName(),
        index: owns ? layerIndex : -1,
        ...(block ? { block: block.index, ...(block.name ? { blockName: block.name } : {}) } : {}),
      };
      if (owns) layerIndex++;
      const trainable = options.includeNonTrainable
        ? [...layer.trainableWeights, ...layer.nonTrainableWeights]
        : layer.trainableWeights;
      for (const lv of trainable) {
        const variable = lv.read() as tf.Variable;
        if (seen.has(variable.name)) continue; // shared layers appear once
        seen.add(variable.name);
        const path = prefix + lv.originalName;
        const weightName = lv.originalName.slice(lv.originalName.lastIndexOf("/") + 1);
        const tags = tagsFor(rules, { layerClass: info.className, weightName, rank: variable.rank });
        for (const extra of [...(meta?.tags?.[path] ?? []), ...(options.extraTags?.[path] ?? [])])
          tags.add(extra);
        params.push({
          path,
          variable,
          tags,
          layer: info,
          index: params.length,
          shape: [...variable.shape],
          size: sizeOf(variable.shape),
        });
      }
      if (!options.includeNonTrainable) {
        for (const lv of layer.nonTrainableWeights) {
          const variable = lv.read() as tf.Variable;
          if (seen.has(variable.name)) continue;
          seen.add(variable.name);
          state.push({ path: prefix + lv.originalName, variable, layer: info });
        }
      }
    }
  };
  visit(model.layers, "");
  return new ParamSet(params, state, leafLayers);
}

function blockFor(layerName: string, meta: SamModelMeta | undefined, options: CollectParamsOptions) {
  if (options.blockOf) return options.blockOf(layerName);
  const index = meta?.blockOfLayer[layerName];
  if (index === undefined) return undefined;
  const name = meta?.blocks[index];
  return name === undefined ? { index } : { index, name };
}

import { rejectValue } from "../errors/rejectValue";
import { type LayersModelLike, collectParams } from "./collectParams";
import type { GroupSpec } from "./groupParams";
import type { Param, ParamSet } from "./param";
import { and, hasTag, layerIndex, not, or, type SelectorSpec } from "./selectors";

/** Options of {@link layerwiseLrDecay}. */
export interface LayerwiseLrDecayOptions {
  /** The decay factor d in (0, 1]: layer l of L gets `lrScale = d^(L - 1 - l)`. timm uses 0.65 to 0.75. */
  readonly decay: number;
  /**
   * Weight decay. When given, each layer is split in two like timm's `param_groups_layer_decay`:
   * `layer_<l>_no_decay` (norm, bias and other rank <= 1 parameters, weight decay 0) and
   * `layer_<l>_decay` (weight decay `weightDecay`). Default: one group per layer, no weight
   * decay written.
   */
  readonly weightDecay?: number;
}

/**
 * Layer-wise learning-rate decay (BEiT, ELECTRA; timm's `param_groups_layer_decay`): one group
 * per depth, the head at the full learning rate and each layer below it at `decay` times the
 * one above. The rules read it as `lrScale` (the step size is `lr * lrScale`).
 *
 * Depth comes from layer metadata, never from names. When the model declares blocks (the
 * `@sam/models` builders do: stem, blocks, head) each block is one depth, a layer outside
 * every block before the first block gets depth 0 of its own, one after the last block the last
 * depth, and one between blocks joins the block before it. Otherwise every weight-owning layer
 * is its own depth (its `layerIndex`). With L depths, depth l gets
 *
 * ```
 * lrScale_l = decay^(L - 1 - l)      (l = 0 the input side, l = L - 1 the head: lrScale 1)
 * ```
 *
 * Groups are labelled `layer_<l>` (or `layer_<l>_no_decay` / `layer_<l>_decay` with
 * `weightDecay`), select their layers by `layerIndex` ranges, and skip empty halves. Pass the
 * result as an optimizer's `groups` and check it with `describeGroups`.
 *
 * @param model A layers model, or the `ParamSet` collected from one.
 * @param options The decay factor, and optionally a weight decay.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { collectParams, describeGroups, GroupedOptimizer, layerwiseLrDecay, sgd } from "@sam/core";
 *
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ units: 8, inputShape: [4], name: "fc1" }),
 *   tf.layers.dense({ units: 8, name: "fc2" }),
 *   tf.layers.dense({ units: 2, name: "head" }),
 * ] });
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: layerwiseLrDecay(model, { decay: 0.5 }),
 *   defaults: { lr: 0.1 },
 *   rule: sgd(),
 * });
 * console.log(String(describeGroups(optimizer.groups)));
 * // layer_0 lrScale=0.25 (fc1), layer_1 lrScale=0.5 (fc2), layer_2 lrScale=1 (head)
 * ```
 */
export function layerwiseLrDecay(
  model: LayersModelLike | ParamSet,
  options: LayerwiseLrDecayOptions,
): GroupSpec[] {
  const decay = options?.decay;
  if (typeof decay !== "number" || !(decay > 0 && decay <= 1)) {
    rejectValue(
      "layerwiseLrDecay: option decay",
      decay,
      "it must be a number in (0, 1]",
      "Pass e.g. { decay: 0.75 } (1 gives every layer the same learning rate).",
    );
  }
  const weightDecay = options.weightDecay;
  if (weightDecay !== undefined && !(Number.isFinite(weightDecay) && weightDecay >= 0)) {
    rejectValue(
      "layerwiseLrDecay: option weightDecay",
      weightDecay,
      "it must be a finite number >= 0",
      "Pass e.g. { weightDecay: 0.05 }, or leave it out.",
    );
  }
  const params = isParamSet(model) ? model.params : collectParams(model).params;
  const depths = depthOfLayers(params);
  const count = Math.max(...depths.values()) + 1;
  const noDecay: SelectorSpec = or(hasTag("norm"), hasTag("bias"), hasTag("vector"));
  const specs: GroupSpec[] = [];
  for (let depth = 0; depth < count; depth++) {
    const layers = [...depths].filter(([, d]) => d === depth).map(([index]) => index);
    const select = layerRanges(layers);
    const lrScale = decay ** (count - 1 - depth);
    if (weightDecay === undefined) {
      specs.push({ label: `layer_${depth}`, select, hyper: { lrScale } });
      continue;
    }
    const members = params.filter((p) => p.layer && depths.get(p.layer.index) === depth);
    const isNoDecay = (p: Param) => p.tags.has("norm") || p.tags.has("bias") || p.tags.has("vector");
    if (members.some(isNoDecay)) {
      specs.push({
        label: `layer_${depth}_no_decay`,
        select: and(select, noDecay),
        hyper: { lrScale, weightDecay: 0 },
      });
    }
    if (members.some((p) => !isNoDecay(p))) {
      specs.push({
        label: `layer_${depth}_decay`,
        select: and(select, not(noDecay)),
        hyper: { lrScale, weightDecay },
      });
    }
  }
  return specs;
}

function isParamSet(x: LayersModelLike | ParamSet): x is ParamSet {
  return Array.isArray((x as ParamSet).params) && typeof (x as ParamSet).paths === "function";
}

/** Depth of every weight-owning layer, keyed by its `layerIndex`, from the blocks or the layer order. */
function depthOfLayers(params: readonly Param[]): Map<number, number> {
  const layers = new Map<number, { block: number | undefined }>();
  for (const p of params) {
    if (!p.layer) {
      rejectValue(
        `layerwiseLrDecay: parameter ${JSON.stringify(p.path)}`,
        "without layer information",
        "the depth of a parameter comes from the layer that owns it",
        "Pass a layers model or collectParams(model); for fromVariables sets write the groups with { path } globs.",
      );
    }
    layers.set(p.layer.index, { block: p.layer.block });
  }
  const order = [...layers.keys()].sort((a, b) => a - b);
  const blocks = [...new Set(order.map((i) => layers.get(i)!.block).filter((b) => b !== undefined))].sort(
    (a, b) => a - b,
  );
  const depths = new Map<number, number>();
  if (blocks.length === 0) {
    order.forEach((index, depth) => depths.set(index, depth));
    return depths;
  }
  const firstBlocked = order.findIndex((i) => layers.get(i)!.block !== undefined);
  const shift = firstBlocked > 0 ? 1 : 0; // layers before every block: a depth of their own
  let current = 0;
  let afterLast = false;
  for (const index of order) {
    const b = layers.get(index)!.block;
    if (b !== undefined) {
      current = blocks.indexOf(b) + shift;
      afterLast = b === blocks[blocks.length - 1];
      depths.set(index, current);
    } else if (index < order[firstBlocked]!) {
      depths.set(index, 0);
    } else {
      depths.set(index, afterLast ? blocks.length + shift : current);
    }
  }
  return depths;
}

/** `layerIndex` selectors over the contiguous runs of `indices` (sorted). */
function layerRanges(indices: readonly number[]): SelectorSpec {
  const runs: SelectorSpec[] = [];
  let start = indices[0]!;
  for (let k = 1; k <= indices.length; k++) {
    if (k < indices.length && indices[k] === indices[k - 1]! + 1) continue;
    const end = indices[k - 1]!;
    runs.push(layerIndex(start === end ? start : [start, end]));
    start = indices[k]!;
  }
  return runs.length === 1 ? runs[0]! : or(...runs);
}

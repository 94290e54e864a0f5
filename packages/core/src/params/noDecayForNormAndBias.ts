import type { GroupSpec } from "./groupParams";
import { everything, hasTag, or, type SelectorSpec } from "./selectors";

/** Options of {@link noDecayForNormAndBias}. */
export interface NoDecayOptions {
  /** Weight decay of the `decay` group. Default: none written (the optimizer's defaults apply). */
  readonly weightDecay?: number;
  /**
   * More parameters without decay, e.g. `hasTag("embedding")` for position embeddings and class
   * tokens (timm's `no_weight_decay_list`). Select by tags or layer class, not by name.
   */
  readonly alsoNoDecay?: SelectorSpec;
}

/**
 * The two groups of timm's `param_groups_weight_decay`: `no_decay` (weight decay 0) holds every
 * normalization parameter (tag `norm`: gamma and beta), every bias (tag `bias`) and every
 * other rank <= 1 parameter (tag `vector`, timm's `ndim <= 1`); `decay` holds the rest
 * (weight matrices, kernels, embeddings). Selected by tags, so a layer named `bias_net` or
 * `norm_head` is not caught by its name.
 *
 * Pass the result as an optimizer's `groups` (or to `groupParams`), and print it with
 * `describeGroups`. A model with neither norm nor bias parameters leaves `no_decay` empty: pass
 * `allowEmpty: true` then.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamw, collectParams, describeGroups, GroupedOptimizer, noDecayForNormAndBias } from "@sam/core";
 *
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ units: 8, inputShape: [4], name: "fc" }),
 *   tf.layers.layerNormalization({ name: "ln" }),
 *   tf.layers.dense({ units: 2, name: "head" }),
 * ] });
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: noDecayForNormAndBias({ weightDecay: 0.05 }),
 *   defaults: { lr: 1e-3 },
 *   rule: adamw(),
 * });
 * console.log(String(describeGroups(optimizer.groups)));
 * // no_decay: fc/bias, ln/gamma, ln/beta, head/bias (weightDecay=0); decay: fc/kernel, head/kernel
 * ```
 */
export function noDecayForNormAndBias(options: NoDecayOptions = {}): GroupSpec[] {
  const noDecay = [hasTag("norm"), hasTag("bias"), hasTag("vector")];
  if (options.alsoNoDecay) noDecay.push(options.alsoNoDecay);
  return [
    { label: "no_decay", select: or(...noDecay), hyper: { weightDecay: 0 } },
    {
      label: "decay",
      select: everything,
      ...(options.weightDecay !== undefined ? { hyper: { weightDecay: options.weightDecay } } : {}),
    },
  ];
}

import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import { type AnyRule, asUpdateRule, type GroupGrads, type RuleState, type UpdateRule } from "./updateRule";

/**
 * State of a {@link chainRules} rule: each link's state, in order.
 *
 * @example
 * ```ts
 * import { type ChainState, chainRules, clipByGlobalNorm, sgd } from "@sam/core";
 *
 * const rule = chainRules(clipByGlobalNorm(1), sgd({ momentum: 0.9 }));
 * const state = rule.init(optimizer.groups) as ChainState;
 * state.parts.length; // 2: the clip's (no slots), then SGD's momentum buffers
 * state.dispose();
 * ```
 */
export class ChainState implements RuleState {
  constructor(readonly parts: RuleState[]) {}
  slots() {
    return this.parts.flatMap((s) => s.slots());
  }
  restored() {
    for (const s of this.parts) s.restored?.();
  }
  children() {
    return this.parts;
  }
  dispose() {
    for (const s of this.parts) s.dispose();
  }
}

/**
 * Runs rules one after another on the same groups: each gradient transform hands its output
 * to the next rule; the last rule is usually a terminal one (SGD, Adam). optax's `chain`.
 * A group's gradient is requested when any link needs it.
 *
 * @example
 * ```ts
 * import { chainRules, clipByGlobalNorm, sgd } from "@sam/core";
 *
 * const rule = chainRules(clipByGlobalNorm(1.0), sgd({ momentum: 0.9 }));
 * ```
 */
export function chainRules(...rules: AnyRule[]): UpdateRule {
  if (rules.length === 0) {
    throw new SamConfigError(
      "chainRules() needs at least one rule, e.g. chainRules(clipByGlobalNorm(1), sgd()).",
    );
  }
  const links = rules.map(asUpdateRule);
  return {
    kind: "chain",
    defaults: Object.assign({}, ...links.map((r) => r.defaults)),
    hyperKeys: (label) => [...new Set(links.flatMap((r) => r.hyperKeys?.(label) ?? Object.keys(r.defaults)))],
    init: (groups) => new ChainState(links.map((r) => r.init(groups))),
    gradientsNeeded(groups, state, step) {
      const parts = (state as ChainState).parts;
      const needed = new Set<string>();
      links.forEach((r, i) => {
        for (const l of r.gradientsNeeded?.(groups, parts[i]!, step) ?? groups.map((g) => g.label))
          needed.add(l);
      });
      return groups.filter((g) => needed.has(g.label)).map((g) => g.label);
    },
    update(groups, grads, state, ctx) {
      let current: GroupGrads = grads;
      links.forEach((rule, i) => {
        const out = rule.update(groups, current, (state as ChainState).parts[i]!, ctx);
        if (out) current = out;
      });
      return current === grads ? undefined : current;
    },
    getConfig: () => ({ kind: "chain", rules: links.map((r) => r.getConfig()) }),
  };
}

/**
 * A gradient transform: scales the gradients of all its groups together so that their joint
 * L2 norm is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_` and optax's
 * `clip_by_global_norm` do:
 *
 * ```
 * n = sqrt(sum over every gradient g of sum(g^2))
 * g = g * maxNorm / max(n, maxNorm)          (unchanged when n <= maxNorm)
 * ```
 *
 * Used first in a {@link chainRules} chain over the whole optimizer it clips globally; inside
 * one entry of a `partitionRules` it clips that entry's groups together.
 *
 * @example
 * ```ts
 * import { chainRules, clipByGlobalNorm, adam } from "@sam/core";
 *
 * const rule = chainRules(clipByGlobalNorm(1.0), adam());
 * ```
 */
export function clipByGlobalNorm(maxNorm: number): UpdateRule {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new SamConfigError(
      `clipByGlobalNorm maxNorm is ${maxNorm}: it must be a finite number > 0. Pass e.g. 1.0.`,
    );
  }
  return {
    kind: "clipByGlobalNorm",
    defaults: {},
    init: () => ({ slots: () => [], dispose: () => {} }),
    update(groups, grads) {
      const present = groups.flatMap((g) =>
        (grads.get(g.label) ?? []).filter((x): x is tf.Tensor => x !== null),
      );
      if (present.length === 0) return undefined;
      const scale = clipScale(present, maxNorm);
      const out = new Map(grads);
      for (const g of groups) {
        const gs = grads.get(g.label);
        if (gs)
          out.set(
            g.label,
            gs.map((x) => (x ? tf.mul(x, scale) : null)),
          );
      }
      return out;
    },
    getConfig: () => ({ kind: "clipByGlobalNorm", maxNorm }),
  };
}

/**
 * The factor `maxNorm / max(||g||, maxNorm)` that brings the joint L2 norm of `grads` to at
 * most `maxNorm` (1 when it already is).
 *
 * @example
 * ```ts
 * clipScale([tf.tensor1d([3, 4])], 1).dataSync(); // [0.2]
 * ```
 */
export function clipScale(grads: readonly tf.Tensor[], maxNorm: number): tf.Scalar {
  const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
  return tf.div(maxNorm, tf.maximum(norm, maxNorm)) as tf.Scalar;
}

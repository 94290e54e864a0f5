import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import type { RuleState, UpdateRule } from "./updateRule";

class ChainState implements RuleState {
  constructor(readonly parts: RuleState[]) {}
  slots() {
    return this.parts.flatMap((s) => s.slots());
  }
  dispose() {
    for (const s of this.parts) s.dispose();
  }
}

/**
 * Runs rules one after another on the same group: each gradient transform hands its output
 * to the next rule; the last rule is usually a terminal one (SGD, Adam). optax's `chain`.
 *
 * @example
 * ```ts
 * import { chainRules, clipByGlobalNorm, sgd } from "@sam/core";
 *
 * const rule = chainRules(clipByGlobalNorm(1.0), sgd({ momentum: 0.9 }));
 * ```
 */
export function chainRules(...rules: UpdateRule[]): UpdateRule {
  if (rules.length === 0) {
    throw new SamConfigError(
      "chainRules() needs at least one rule, e.g. chainRules(clipByGlobalNorm(1), sgd()).",
    );
  }
  return {
    kind: "chain",
    defaults: Object.assign({}, ...rules.map((r) => r.defaults)),
    init: (group) => new ChainState(rules.map((r) => r.init(group))),
    isActive: (step, group) => rules.every((r) => r.isActive?.(step, group) ?? true),
    apply(group, grads, state, hyper, ctx) {
      let current = grads;
      rules.forEach((rule, i) => {
        const out = rule.apply(group, current, (state as ChainState).parts[i]!, hyper, ctx);
        if (out) current = out;
      });
      return current === grads ? undefined : current;
    },
    getConfig: () => ({ kind: "chain", rules: rules.map((r) => r.getConfig()) }),
  };
}

/**
 * A gradient transform: scales the group's gradients so that their joint L2 norm is at most
 * `maxNorm` (`g = g * min(1, maxNorm / ||g||)`), as `torch.nn.utils.clip_grad_norm_` does
 * for the parameters it is given. Use it first in a {@link chainRules} chain.
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
    apply(_group, grads) {
      const present = grads.filter((g): g is tf.Tensor => g !== null);
      if (present.length === 0) return undefined;
      const norm = tf.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)));
      return grads.map((g) => (g ? tf.mul(g, scale) : null));
    },
    getConfig: () => ({ kind: "clipByGlobalNorm", maxNorm }),
  };
}

import * as tf from "@tensorflow/tfjs-core";
import type { ParamGroup } from "../params/groupParams";
import { allocateSlots } from "./allocateSlots";
import { NO_STATE, perGroup, type RuleState, type SlotState, type UpdateRule } from "./updateRule";

/** Hyperparameters of {@link sgd} (all may be set per group and scheduled). */
export type SgdHyper = {
  /** Learning rate eta. Default 0.01. */
  lr?: number;
  /** Multiplier of `lr` for this group (layer-wise decay, fine-tuning). Default 1. */
  lrScale?: number;
  /** Heavy-ball momentum mu in [0, 1). Default 0 (plain SGD). */
  momentum?: number;
  /** Nesterov's variant (needs momentum > 0). Default false. */
  nesterov?: boolean;
  /** L2 weight decay lambda, added to the gradient (PyTorch's `weight_decay`). Default 0. */
  weightDecay?: number;
};

/**
 * Stochastic gradient descent with optional heavy-ball or Nesterov momentum and L2 weight
 * decay, in the convention of `tf.train.momentum` (identical to PyTorch's `SGD` with
 * `dampening = 0`). With eta = `lr * lrScale`, mu = `momentum`, lambda = `weightDecay`,
 * gradient g and parameter w:
 *
 * ```
 * g' = g + lambda * w
 * b  = mu * b + g'                       (b: momentum buffer, starts at 0; skipped when mu = 0)
 * d  = nesterov ? g' + mu * b : (mu > 0 ? b : g')
 * w  = w - eta * d
 * ```
 *
 * @remarks Keras and the original Sutskever form put eta inside the buffer
 * (`v = mu * v - eta * g; w = w + v`); the two agree while eta is constant and differ
 * when it is scheduled. PyTorch's `dampening` is not supported.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, hasTag, everything, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "norm", select: hasTag("norm"), hyper: { weightDecay: 0 } },
 *     { label: "rest", select: everything },
 *   ],
 *   defaults: { lr: 0.1, weightDecay: 5e-4 },
 *   rule: sgd({ momentum: 0.9 }),
 * });
 * ```
 */
export function sgd(defaults: SgdHyper = {}): UpdateRule<Required<SgdHyper>> {
  const merged: Required<SgdHyper> = {
    lr: 0.01,
    lrScale: 1,
    momentum: 0,
    nesterov: false,
    weightDecay: 0,
    ...defaults,
  };
  return perGroup({
    kind: "sgd",
    defaults: merged,
    init(group: ParamGroup): RuleState {
      // The buffer is allocated even when momentum is 0 at the start, so a schedule may raise it.
      return merged.momentum > 0 || "momentum" in group.hyper
        ? allocateSlots(group, "sgd", ["momentum"])
        : NO_STATE;
    },
    apply(group, grads, state, h) {
      const eta = tf.scalar(h.lr * h.lrScale);
      const mu = h.momentum;
      const lambda = h.weightDecay;
      group.params.forEach((p, i) => {
        const g = grads[i];
        if (!g) return;
        const w = p.variable;
        const gd = lambda !== 0 ? tf.add(g, tf.mul(lambda, w)) : g;
        let d = gd;
        if (mu > 0) {
          if (state === NO_STATE) {
            throw new Error(`sgd: group "${group.label}" got momentum ${mu} but has no momentum buffer.`);
          }
          const buffer = (state as SlotState).get("momentum", i);
          const b = tf.add(tf.mul(mu, buffer), gd);
          buffer.assign(b);
          d = h.nesterov ? tf.add(gd, tf.mul(mu, b)) : b;
        }
        w.assign(tf.sub(w, tf.mul(eta, d)));
      });
      return undefined;
    },
    getConfig: () => ({ kind: "sgd", ...defaults }),
  });
}

import * as tf from "@tensorflow/tfjs-core";
import { allocateSlots } from "./allocateSlots";
import { perGroup, type SlotState, type UpdateRule } from "./updateRule";

/** Hyperparameters of {@link adam} and {@link adamw}. */
export type AdamHyper = {
  /** Learning rate eta. Default 0.001. */
  lr?: number;
  /** Multiplier of `lr` for this group. Default 1. */
  lrScale?: number;
  /** Decay of the first moment, beta1 in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay of the second moment, beta2 in [0, 1). Default 0.999. */
  beta2?: number;
  /** epsilon added to sqrt(v_hat). Default 1e-8 (PyTorch and the paper; `tf.train.adam` uses 1e-7). */
  epsilon?: number;
  /** Weight decay lambda: L2 added to the gradient for `adam`, decoupled for `adamw`. Default 0 (adam), 0.01 (adamw). */
  weightDecay?: number;
};

function adamRule(kind: "adam" | "adamw", defaults: AdamHyper): UpdateRule<Required<AdamHyper>> {
  const merged: Required<AdamHyper> = {
    lr: 0.001,
    lrScale: 1,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: kind === "adamw" ? 0.01 : 0,
    ...defaults,
  };
  const decoupled = kind === "adamw";
  return perGroup({
    kind,
    defaults: merged,
    init: (group) => allocateSlots(group, kind, ["m", "v"], ["t"]),
    apply(group, grads, rawState, h) {
      const state = rawState as SlotState;
      const lr = h.lr * h.lrScale;
      const b1 = h.beta1;
      const b2 = h.beta2;
      const lambda = h.weightDecay;
      const t = state.get("t", 0);
      const tNext = tf.add(t, 1);
      t.assign(tNext);
      const correction1 = tf.sub(1, tf.pow(tf.scalar(b1), tNext));
      const correction2 = tf.sub(1, tf.pow(tf.scalar(b2), tNext));
      group.params.forEach((p, i) => {
        const g0 = grads[i];
        if (!g0) return;
        const w = p.variable;
        if (decoupled && lambda !== 0) w.assign(tf.mul(w, 1 - lr * lambda));
        const g = !decoupled && lambda !== 0 ? tf.add(g0, tf.mul(lambda, w)) : g0;
        const mSlot = state.get("m", i);
        const vSlot = state.get("v", i);
        const m = tf.add(tf.mul(b1, mSlot), tf.mul(1 - b1, g));
        const v = tf.add(tf.mul(b2, vSlot), tf.mul(1 - b2, tf.square(g)));
        mSlot.assign(m);
        vSlot.assign(v);
        const mHat = tf.div(m, correction1);
        const vHat = tf.div(v, correction2);
        w.assign(tf.sub(w, tf.mul(lr, tf.div(mHat, tf.add(tf.sqrt(vHat), h.epsilon)))));
      });
      return undefined;
    },
    getConfig: () => ({ kind, ...defaults }),
  });
}

/**
 * Adam (Kingma and Ba 2015) with optional L2 weight decay added to the gradient (PyTorch's
 * `Adam(weight_decay=...)`). With t the group's step count (1 on the first step),
 * eta = `lr * lrScale`, g the gradient (+ lambda w):
 *
 * ```
 * m = beta1 m + (1 - beta1) g           v = beta2 v + (1 - beta2) g^2
 * m_hat = m / (1 - beta1^t)             v_hat = v / (1 - beta2^t)
 * w = w - eta * m_hat / (sqrt(v_hat) + epsilon)
 * ```
 * Equal to `tf.train.adam(lr, beta1, beta2, epsilon)` given the same epsilon.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, adam, collectParams } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({ params: collectParams(model), defaults: { lr: 1e-3 }, rule: adam() });
 * ```
 */
export const adam = (defaults: AdamHyper = {}): UpdateRule<Required<AdamHyper>> => adamRule("adam", defaults);

/**
 * AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay, applied to the
 * weights before the Adam step as in PyTorch: `w = w * (1 - eta * lambda)`, then the
 * {@link adam} update with the raw gradient. Default `weightDecay` 0.01.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, adamw, hasTag, or, everything, collectParams } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "no_decay", select: or(hasTag("norm"), hasTag("bias")), hyper: { weightDecay: 0 } },
 *     { label: "decay", select: everything },
 *   ],
 *   defaults: { lr: 3e-4, weightDecay: 0.05 },
 *   rule: adamw(),
 * });
 * ```
 */
export const adamw = (defaults: AdamHyper = {}): UpdateRule<Required<AdamHyper>> =>
  adamRule("adamw", defaults);

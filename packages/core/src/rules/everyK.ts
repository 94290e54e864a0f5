import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import { allocateSlots } from "./allocateSlots";
import type { RuleState, SlotState, UpdateRule } from "./updateRule";

/** Options of {@link everyK}. */
export interface EveryKOptions {
  /**
   * `'latest'` (default): the rule runs on steps where `step % k === phase` with that
   * step's gradient, and no gradient is requested for the group on the other steps (which
   * is what makes multirate training cheaper). `'mean'`: gradients are accumulated every
   * step and the rule runs on their mean every k-th step (gradient accumulation).
   */
  readonly gradient?: "latest" | "mean";
  /** Which step of each cycle of k runs the rule, in [0, k). Default: k - 1 (the last). */
  readonly phase?: number;
}

class AccumulatingState implements RuleState {
  constructor(
    readonly inner: RuleState,
    readonly sums: SlotState | null,
  ) {}
  slots() {
    return [...(this.sums?.slots() ?? []), ...this.inner.slots()];
  }
  dispose() {
    this.sums?.dispose();
    this.inner.dispose();
  }
}

/**
 * Runs `rule` once every `k` steps (optax's `apply_every` / `MultiSteps`): with
 * `gradient: 'latest'` on the gradient of that step only, with `'mean'` on the mean of the
 * k gradients of the cycle. `k = 1` is `rule` itself.
 *
 * @example
 * ```ts
 * import { everyK, sgd } from "@sam/core";
 *
 * // the slow group of multirate training: one step of size k*h every k steps
 * const slow = everyK(5, sgd({ lr: 0.5, momentum: 0.9 }));
 * ```
 */
export function everyK(k: number, rule: UpdateRule, options: EveryKOptions = {}): UpdateRule {
  if (!Number.isInteger(k) || k < 1) {
    throw new SamConfigError(`everyK k is ${k}: it must be an integer >= 1. Use k = 1 for every step.`);
  }
  const mode = options.gradient ?? "latest";
  const phase = options.phase ?? k - 1;
  if (!Number.isInteger(phase) || phase < 0 || phase >= k) {
    throw new SamConfigError(
      `everyK phase is ${phase}: it must be an integer in [0, ${k}). Default is k - 1.`,
    );
  }
  if (mode === "mean" && phase !== k - 1) {
    throw new SamConfigError(
      `everyK phase is ${phase} with gradient 'mean': the mean of a cycle is ready only at its last step, so phase must be k - 1 = ${k - 1}. Leave phase out.`,
    );
  }
  const due = (step: number) => step % k === phase;
  return {
    kind: "everyK",
    defaults: rule.defaults,
    init: (group) =>
      new AccumulatingState(
        rule.init(group),
        mode === "mean" && k > 1 ? allocateSlots(group, "everyK", ["sum"]) : null,
      ),
    isActive: (step, group) => (mode === "mean" || due(step)) && (rule.isActive?.(step, group) ?? true),
    apply(group, grads, rawState, hyper, ctx) {
      const state = rawState as AccumulatingState;
      if (!state.sums) return due(ctx.step) ? rule.apply(group, grads, state.inner, hyper, ctx) : undefined;
      const sums = state.sums;
      const finishing = due(ctx.step);
      const means = grads.map((g, i) => {
        if (!g) return null;
        const slot = sums.get("sum", i);
        const total = tf.add(slot, g);
        slot.assign(finishing ? tf.zerosLike(total) : total);
        return finishing ? tf.div(total, k) : null;
      });
      return finishing ? rule.apply(group, means, state.inner, hyper, ctx) : undefined;
    },
    getConfig: () => ({ kind: "everyK", k, gradient: mode, phase, rule: rule.getConfig() }),
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import { allocateSlots } from "./allocateSlots";
import {
  type AnyRule,
  asUpdateRule,
  type RuleState,
  type SlotState,
  StepCounter,
  type UpdateRule,
} from "./updateRule";
import { WrapperState } from "./wrapperState";

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

/**
 * State of an {@link everyK} rule: its own step count, the gradient sums ('mean'), the inner rule's state.
 *
 * @example
 * ```ts
 * import { type EveryKState, everyK, sgd } from "@sam/core";
 *
 * const state = everyK(3, sgd()).init(optimizer.groups) as EveryKState;
 * state.count.value; // 0: the rule's own clock, advanced by each of its updates
 * state.dispose();
 * ```
 */
export class EveryKState extends WrapperState {
  constructor(
    count: StepCounter,
    inner: RuleState,
    readonly sums: ReadonlyMap<string, SlotState> | null,
  ) {
    super(count, inner, [...(sums?.values() ?? [])]);
  }
}

/**
 * Runs `rule` once every `k` of its own steps (optax's `apply_every` / `MultiSteps`): with
 * `gradient: 'latest'` on the gradient of that step only, with `'mean'` on the mean of the
 * k gradients of the cycle. `k = 1` is `rule` itself. The count is everyK's own (a slot
 * `@<labels>/everyK.count`), so the inner rule sees one step per cycle: its first call is
 * its first step, whatever the optimizer's step.
 *
 * With c the number of steps everyK has taken before this one, the inner rule runs when
 * `c % k === phase`.
 *
 * @example
 * ```ts
 * import { everyK, sgd } from "@sam/core";
 *
 * // the slow group of multirate training: one step of size k*h every k steps
 * const slow = everyK(5, sgd({ lr: 0.5, momentum: 0.9 }));
 * ```
 */
export function everyK(k: number, rule: AnyRule, options: EveryKOptions = {}): UpdateRule {
  if (!Number.isInteger(k) || k < 1) {
    throw new SamConfigError(`everyK k is ${k}: it must be an integer >= 1. Use k = 1 for every step.`);
  }
  const inner = asUpdateRule(rule);
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
  const due = (state: EveryKState) => state.count.value % k === phase;
  return {
    kind: "everyK",
    defaults: inner.defaults,
    hyperKeys: (label) => inner.hyperKeys?.(label) ?? Object.keys(inner.defaults),
    init: (groups) =>
      new EveryKState(
        new StepCounter(`@${groups.map((g) => g.label).join("+")}/everyK.count`),
        inner.init(groups),
        mode === "mean" && k > 1
          ? new Map(groups.map((g) => [g.label, allocateSlots(g, "everyK", ["sum"])]))
          : null,
      ),
    gradientsNeeded(groups, rawState, step) {
      const state = rawState as EveryKState;
      if (mode === "latest" && !due(state)) return [];
      const needed = inner.gradientsNeeded?.(groups, state.inner, step);
      return mode === "mean" ? groups.map((g) => g.label) : (needed ?? groups.map((g) => g.label));
    },
    update(groups, grads, rawState, ctx) {
      const state = rawState as EveryKState;
      const finishing = due(state);
      state.count.tick();
      if (!state.sums) return finishing ? inner.update(groups, grads, state.inner, ctx) : undefined;
      const means = new Map<string, (tf.Tensor | null)[]>();
      for (const group of groups) {
        const sums = state.sums.get(group.label)!;
        means.set(
          group.label,
          (grads.get(group.label) ?? group.params.map(() => null)).map((g, i) => {
            if (!g) return null;
            const slot = sums.get("sum", i);
            const total = tf.add(slot, g);
            slot.assign(finishing ? tf.zerosLike(total) : total);
            return finishing ? tf.div(total, k) : null;
          }),
        );
      }
      return finishing ? inner.update(groups, means, state.inner, ctx) : undefined;
    },
    getConfig: () => ({ kind: "everyK", k, gradient: mode, phase, rule: inner.getConfig() }),
  };
}

import {
  allocateSlots,
  type AnyRule,
  asUpdateRule,
  type ParamGroup,
  type RuleState,
  type SlotState,
  StepCounter,
  type UpdateRule,
  WrapperState,
} from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { checkPeriod } from "./internal/checkPeriod";

/**
 * State of a {@link drift} rule: its own step count, one velocity slot per parameter, the inner state.
 *
 * @example
 * ```ts
 * import { sgd } from "@sam/core";
 * import { type DriftState, drift } from "@sam/multirate";
 *
 * const state = drift(5, sgd()).init(optimizer.groups) as DriftState;
 * state.count.value; // 0: drift's own clock; state.velocity holds each slow parameter's drift
 * state.dispose();
 * ```
 */
export class DriftState extends WrapperState {
  constructor(
    count: StepCounter,
    readonly velocity: ReadonlyMap<string, SlotState>,
    inner: RuleState,
  ) {
    super(count, inner, [...velocity.values()]);
  }
}

/**
 * Linear drift (Vlaar and Leimkuhler 2022, Algorithm 1): spreads each move of `rule` evenly
 * over the k steps of its cycle. With c the number of steps this rule has taken before this
 * one, theta a parameter and v its velocity slot (`<path>/multirate.drift`, zero at first):
 *
 * ```
 * c mod k = 0 (synchronisation):  theta0 = theta;  rule moves theta to theta1;
 *                                 v = (theta1 - theta0) / k;  theta = theta0 + v
 * otherwise:                      rule is called (it holds still), then theta = theta + v
 * ```
 *
 * For `everyK(k, scaleLr(k, sgd()), { phase: 0 })` the move is theta1 - theta0 = -k lr p_S,
 * so every step of the cycle moves the slow group by -lr p_S: the paper's drift. A parameter
 * without a gradient at synchronisation gets v = 0. The rule is called every step, so the
 * counters of `rule` stay in step with this one.
 *
 * @example
 * ```ts
 * import { everyK, partitionRules, scaleLr, sgd } from "@sam/core";
 * import { drift } from "@sam/multirate";
 *
 * const k = 5;
 * const rule = partitionRules({ fast: sgd(), slow: drift(k, everyK(k, scaleLr(k, sgd()), { phase: 0 })) });
 * ```
 */
export function drift(k: number, rule: AnyRule): UpdateRule {
  checkPeriod("drift k", k);
  const inner = asUpdateRule(rule);
  return {
    kind: "drift",
    defaults: inner.defaults,
    hyperKeys: (label) => inner.hyperKeys?.(label) ?? Object.keys(inner.defaults),
    init: (groups) =>
      new DriftState(
        new StepCounter(`@${groups.map((g) => g.label).join("+")}/drift.count`),
        new Map(groups.map((g) => [g.label, allocateSlots(g, "multirate", ["drift"])])),
        inner.init(groups),
      ),
    ...(inner.gradientsNeeded ? { gradientsNeeded: inner.gradientsNeeded.bind(inner) } : {}),
    update(groups, grads, rawState, ctx) {
      const state = rawState as DriftState;
      const sync = state.count.value % k === 0;
      state.count.tick();
      if (!sync) {
        inner.update(groups, grads, state.inner, ctx);
        forEachParam(groups, state, (w, v) => w.assign(tf.add(w, v)));
        return undefined;
      }
      // zero-copy: the clone keeps the pre-move values alive while the rule assigns new ones
      const before = new Map(groups.map((g) => [g.label, g.params.map((p) => tf.clone(p.variable))]));
      inner.update(groups, grads, state.inner, ctx);
      for (const group of groups) {
        const slots = state.velocity.get(group.label)!;
        group.params.forEach((p, i) => {
          const w0 = before.get(group.label)![i]!;
          const v = tf.div(tf.sub(p.variable, w0), k);
          slots.get("drift", i).assign(v);
          p.variable.assign(tf.add(w0, v));
        });
      }
      return undefined;
    },
    getConfig: () => ({ kind: "drift", k, rule: inner.getConfig() }),
  };
}

function forEachParam(
  groups: readonly ParamGroup[],
  state: DriftState,
  fn: (w: tf.Variable, v: tf.Variable) => void,
): void {
  for (const group of groups) {
    const slots = state.velocity.get(group.label)!;
    group.params.forEach((p, i) => fn(p.variable, slots.get("drift", i)));
  }
}

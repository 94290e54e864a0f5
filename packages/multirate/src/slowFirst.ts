import { differentiate, type ParamGroup, type RuleState, type UpdateRule } from "@sam/core";
import type * as tf from "@tensorflow/tfjs-core";

/**
 * State of {@link slowFirst}: the slow and the fast rule's states.
 *
 * @example
 * ```ts
 * import { everyK, scaleLr, sgd } from "@sam/core";
 * import { type SlowFirstState, slowFirst } from "@sam/multirate";
 *
 * const rule = slowFirst(["slow"], everyK(5, scaleLr(5, sgd()), { phase: 0 }), ["fast"], sgd());
 * const state = rule.init(optimizer.groups) as SlowFirstState;
 * state.slow.slots(); // the slow rule's clock and buffers; state.fast: the fast rule's
 * state.dispose();
 * ```
 */
export class SlowFirstState implements RuleState {
  constructor(
    readonly slow: RuleState,
    readonly fast: RuleState,
  ) {}
  slots() {
    return [...this.slow.slots(), ...this.fast.slots()];
  }
  restored() {
    this.slow.restored?.();
    this.fast.restored?.();
  }
  children() {
    return [this.slow, this.fast];
  }
  dispose() {
    this.slow.dispose();
    this.fast.dispose();
  }
}

/**
 * The no-drift order of multirate training (the paper's Algorithm without linear drift): on a
 * step where `slow` moves (it asks for a gradient), the slow groups jump first with the
 * gradient at the step's starting point theta, and the fast groups then take their gradient
 * at the new point theta' (one more backward pass, of the fast groups only, through the
 * step's loss closure):
 *
 * ```
 * sync step:   g_S = grad_S L(theta);  slow jumps: theta_S' = theta_S - k lr p_S
 *              g_F = grad_F L(theta_S', theta_F);  fast steps with g_F
 * other steps: g_F = grad_F L(theta);  fast steps;  slow holds still
 * ```
 *
 * The fast gradient at the new point is a plain gradient (not the optimizer's oracle).
 * `slow` and `fast` each own the groups whose labels they are given.
 *
 * @example
 * ```ts
 * import { everyK, partitionRules, scaleLr, sgd } from "@sam/core";
 * import { slowFirst } from "@sam/multirate";
 *
 * const rule = slowFirst(["slow"], everyK(5, scaleLr(5, sgd()), { phase: 0 }), ["fast"], sgd());
 * ```
 */
export function slowFirst(
  slowLabels: readonly string[],
  slow: UpdateRule,
  fastLabels: readonly string[],
  fast: UpdateRule,
): UpdateRule {
  const split = (groups: readonly ParamGroup[]) => ({
    slowGroups: groups.filter((g) => slowLabels.includes(g.label)),
    fastGroups: groups.filter((g) => fastLabels.includes(g.label)),
  });
  const jumping = (slowGroups: readonly ParamGroup[], state: SlowFirstState, step: number) =>
    (slow.gradientsNeeded?.(slowGroups, state.slow, step) ?? slowGroups.map((g) => g.label)).length > 0;
  return {
    kind: "slowFirst",
    defaults: { ...fast.defaults, ...slow.defaults },
    hyperKeys: (label) => {
      const r = slowLabels.includes(label) ? slow : fast;
      return r.hyperKeys?.(label) ?? Object.keys(r.defaults);
    },
    init(groups) {
      const { slowGroups, fastGroups } = split(groups);
      return new SlowFirstState(slow.init(slowGroups), fast.init(fastGroups));
    },
    gradientsNeeded(groups, rawState, step) {
      const state = rawState as SlowFirstState;
      const { slowGroups, fastGroups } = split(groups);
      const slowNeeds =
        slow.gradientsNeeded?.(slowGroups, state.slow, step) ?? slowGroups.map((g) => g.label);
      // on a jump the fast gradient is taken after it, so the oracle need not compute it
      if (slowNeeds.length > 0) return slowNeeds;
      return fast.gradientsNeeded?.(fastGroups, state.fast, step) ?? fastGroups.map((g) => g.label);
    },
    update(groups, grads, rawState, ctx) {
      const state = rawState as SlowFirstState;
      const { slowGroups, fastGroups } = split(groups);
      const jumps = jumping(slowGroups, state, ctx.step);
      slow.update(slowGroups, grads, state.slow, ctx);
      if (!jumps) {
        fast.update(fastGroups, grads, state.fast, ctx);
        return undefined;
      }
      const params = fastGroups.flatMap((g) => g.params);
      const fresh = differentiate(
        ctx.lossFn,
        params.map((p) => p.variable),
      );
      const byIndex = new Map<number, tf.Tensor | null>(
        params.map((p, i) => [p.index, fresh.grads[i] ?? null]),
      );
      const at = new Map(fastGroups.map((g) => [g.label, g.params.map((p) => byIndex.get(p.index) ?? null)]));
      fast.update(fastGroups, at, state.fast, ctx);
      return undefined;
    },
    getConfig: () => ({
      kind: "slowFirst",
      slowLabels: [...slowLabels],
      slow: slow.getConfig(),
      fastLabels: [...fastLabels],
      fast: fast.getConfig(),
    }),
  };
}

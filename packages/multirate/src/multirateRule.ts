import {
  type AnyRule,
  asUpdateRule,
  describeValue,
  everyK,
  type ParamGroup,
  partitionRules,
  type RuleConfig,
  SamConfigError,
  scaleLr,
  sgd,
  type UpdateRule,
} from "@sam/core";
import { drift as driftRule } from "./drift";
import { checkPeriod } from "./internal/checkPeriod";
import { slowFirst } from "./slowFirst";
import { quoteAll } from "./internal/quoteAll";

/** Options of {@link multirateRule}. */
export interface MultirateRuleOptions {
  /**
   * The synchronisation period k: slow groups take a fresh gradient once every k steps,
   * with step size h = k * lr. An integer >= 1. Default 5 (the paper's transfer-learning
   * setting). Ignored when `periods` is given.
   */
  readonly k?: number;
  /** Labels of the fast groups (period 1). Default `["fast"]`. Ignored when `periods` is given. */
  readonly fast?: readonly string[];
  /** Labels of the slow groups (period k). Default `["slow"]`. Ignored when `periods` is given. */
  readonly slow?: readonly string[];
  /**
   * The general N-rate form (spec section 2.4): the period k_j of every group label, 1 for the
   * fast groups. Group j takes a gradient on steps t with t mod k_j = 0 and its rule runs
   * with step size k_j * lr.
   */
  readonly periods?: Readonly<Record<string, number>>;
  /**
   * Linear drift (default true, the paper's Algorithm 1): a slow group's step of size h is
   * spread evenly over the k steps of its cycle. `false`: the slow group jumps by the whole
   * step on its synchronisation step and holds still in between.
   */
  readonly drift?: boolean;
  /** The rule of every group `rules` does not name. Default `sgd()` (set `momentum` in the group hyperparameters). */
  readonly base?: AnyRule;
  /** A rule per group label (e.g. `{ fast: adam() }`, or a Langevin rule for the slow body). */
  readonly rules?: Readonly<Record<string, AnyRule>>;
  /** The hyperparameter that is the step size, multiplied by the period for slow groups. Default `"lr"`. */
  readonly stepSizeKey?: string;
}

/** The rule {@link multirateRule} returns: an `UpdateRule` that also says how it schedules groups. */
export interface MultirateRule extends UpdateRule {
  /** The period of every group label (1 = fast). */
  readonly periods: Readonly<Record<string, number>>;
  /** Whether slow groups drift linearly between synchronisation steps. */
  readonly drift: boolean;
  /** The hyperparameter scaled by the period. */
  readonly stepSizeKey: string;
  /** The period of a group (throws naming the group when it has none). */
  periodOf(group: ParamGroup): number;
  /** The inner rule that moves a group. */
  ruleOf(group: ParamGroup): UpdateRule;
}

/**
 * Multirate training (Vlaar and Leimkuhler, ICML 2022) as an update rule over labelled
 * groups: fast groups move every step with step size h/k; slow groups take a fresh gradient
 * only once every k steps (in between they are not in `gradientsNeeded`, so the optimizer does
 * not differentiate them: that is where the time goes) and move with step size h.
 *
 * It is a composition of core rules: with drift,
 * `partitionRules({ fast: rule, slow: drift(k, everyK(k, scaleLr(k, rule), { phase: 0 })) })`;
 * without, `slowFirst(["slow"], partitionRules({ slow: everyK(...) }), ["fast"], partitionRules({ fast: rule }))`.
 * Every rule keeps its own count, so the cycle starts with the optimizer's first step.
 *
 * Algorithm 1 with heavy-ball momentum (the default, `sgd` rule with `momentum` mu), for the
 * cycle that starts at step t = c k. Symbols: theta_F, theta_S the fast and slow parameters;
 * p_F, p_S their momentum buffers (zero at the start, so the first step sets p <- g: the
 * code's "warm start"); g_F, g_S minibatch gradients at the current point; lr = h/k the fast
 * step size (the `lr` hyperparameter); h = k lr the slow one; v_S the slow drift.
 *
 * ```
 * step t = c k (synchronisation: one gradient of both groups on this minibatch)
 *   p_S <- mu p_S + g_S                     once per cycle, current gradient (nothing accumulated)
 *   v_S <- -(h / k) p_S                     = the slow rule's step of size h, divided by k
 * every step t = c k + i, i = 0 .. k-1 (fast gradient only for i > 0)
 *   p_F     <- mu p_F + g_F;  theta_F <- theta_F - (h/k) p_F
 *   theta_S <- theta_S + v_S                linear drift: stale slow momentum reused every step
 * ```
 *
 * Without drift (`drift: false`, the paper's order) the slow group first jumps by
 * theta_S <- theta_S - h p_S on the synchronisation step, the fast gradient of that step is
 * then taken at the new point (one more fast-only backward pass), and the slow group holds
 * still for the k - 1 steps after it.
 *
 * Any terminal rule may move a group (`rules`, `base`): a slow group's rule runs once per
 * cycle with its step size multiplied by k, and with drift its displacement
 * Delta = theta_after - theta_before is spread as v = Delta / k over the cycle, which is
 * exactly -(h/k) p_S for momentum SGD. Weight decay (the rule's `weightDecay`) therefore
 * applies to fast parameters every step and to slow ones once per cycle, coupled.
 *
 * With k = 1 every group is fast and the rule is its inner rule, step for step and bit for
 * bit. One rule may serve several optimizers (its state lives in each optimizer).
 *
 * @remarks The synchronisation step is the first step of a cycle (step mod k = 0) and its
 * gradient also drives that step's fast update: k fast updates per cycle for the cost of one
 * full and k - 1 fast-only backward passes (the published loop wastes the synchronisation
 * batch; see the README). A slow group drifts on every step, also when no group is trained.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, layerIndex, everything } from "@sam/core";
 * import { multirateRule } from "@sam/multirate";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "fast", select: layerIndex(4) }, // the head
 *     { label: "slow", select: everything },
 *   ],
 *   defaults: { lr: 0.01, momentum: 0.9 },
 *   rule: multirateRule({ k: 5 }),
 * });
 * ```
 */
export function multirateRule(options: MultirateRuleOptions = {}): MultirateRule {
  const periods = resolvePeriods(options);
  const drift = options.drift ?? true;
  if (typeof drift !== "boolean") {
    throw new SamConfigError(
      `multirateRule drift is ${describeValue(drift)}: it must be true (linear drift, the default) or false (one jump per cycle).`,
    );
  }
  const base = options.base ?? sgd();
  const rules = options.rules ?? {};
  for (const [label, rule] of Object.entries({ base, ...rules })) {
    if (
      typeof (rule as { apply?: unknown })?.apply !== "function" &&
      typeof (rule as UpdateRule)?.update !== "function"
    ) {
      throw new SamConfigError(
        `multirateRule ${label === "base" ? "base" : `rules[${JSON.stringify(label)}]`} is ${describeValue(rule)}: it must be an update rule such as sgd() or adam().`,
      );
    }
  }
  const unknownRules = Object.keys(rules).filter((l) => !(l in periods));
  if (unknownRules.length > 0) {
    throw new SamConfigError(
      `multirateRule rules name the group(s) ${quoteAll(unknownRules)}, which have no period (the groups are ${quoteAll(Object.keys(periods))}). ` +
        "Name each group in fast, slow or periods.",
    );
  }
  const stepSizeKey = options.stepSizeKey ?? "lr";
  const labels = Object.keys(periods);
  const periodOf = (group: ParamGroup): number => {
    const k = periods[group.label];
    if (k === undefined) {
      throw new SamConfigError(
        `Group ${JSON.stringify(group.label)} has no period in multirateRule (it knows ${quoteAll(labels)}). ` +
          `Add it to fast or slow, or give periods: { ${JSON.stringify(group.label)}: <k> }.`,
      );
    }
    return k;
  };
  const ruleOf = (group: ParamGroup): UpdateRule => asUpdateRule(rules[group.label] ?? base);
  const innerOf = (label: string): UpdateRule => asUpdateRule(rules[label] ?? base);
  // a slow group's rule: a fresh gradient on the first step of each cycle, step size k * lr
  const slowRule = (label: string) =>
    everyK(periods[label]!, scaleLr(periods[label]!, innerOf(label), stepSizeKey), { phase: 0 });
  const fastLabels = labels.filter((l) => periods[l] === 1);
  const slowLabels = labels.filter((l) => periods[l]! > 1);
  const pick = (ls: readonly string[], make: (l: string) => UpdateRule) =>
    partitionRules(Object.fromEntries(ls.map((l) => [l, make(l)])));
  const composed: UpdateRule =
    slowLabels.length === 0
      ? pick(fastLabels, innerOf)
      : drift
        ? pick([...slowLabels, ...fastLabels], (l) =>
            periods[l] === 1 ? innerOf(l) : driftRule(periods[l]!, slowRule(l)),
          )
        : fastLabels.length === 0
          ? pick(slowLabels, slowRule)
          : slowFirst(slowLabels, pick(slowLabels, slowRule), fastLabels, pick(fastLabels, innerOf));
  return {
    ...composed,
    kind: "multirate",
    periods,
    drift,
    stepSizeKey,
    periodOf,
    ruleOf,
    defaults: asUpdateRule(base).defaults,
    init(groups) {
      for (const g of groups) periodOf(g);
      return composed.init(groups);
    },
    getConfig: (): RuleConfig => ({
      kind: "multirate",
      periods: { ...periods },
      drift,
      stepSizeKey,
      base: base.getConfig(),
      rules: Object.fromEntries(Object.entries(rules).map(([l, r]) => [l, r.getConfig()])),
    }),
  };
}

function resolvePeriods(options: MultirateRuleOptions): Record<string, number> {
  if (options.periods !== undefined) {
    const entries = Object.entries(options.periods ?? {});
    if (entries.length === 0) {
      throw new SamConfigError(
        `multirateRule periods is ${describeValue(options.periods)}: give every group label its period, e.g. { fast: 1, slow: 5 }.`,
      );
    }
    for (const [label, k] of entries) checkPeriod(`multirateRule periods[${JSON.stringify(label)}]`, k);
    return { ...options.periods };
  }
  const k = checkPeriod("multirateRule k", options.k ?? 5);
  const fast = labelList("fast", options.fast ?? ["fast"]);
  const slow = labelList("slow", options.slow ?? ["slow"]);
  const both = fast.filter((l) => slow.includes(l));
  if (both.length > 0) {
    throw new SamConfigError(
      `multirateRule fast and slow overlap: ${quoteAll(both)} is in both. A group is either fast or slow; remove it from one list.`,
    );
  }
  return Object.fromEntries([...fast.map((l) => [l, 1] as const), ...slow.map((l) => [l, k] as const)]);
}

function labelList(name: string, labels: readonly string[]): readonly string[] {
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== "string" || !l)) {
    throw new SamConfigError(
      `multirateRule ${name} is ${describeValue(labels)}: it must list at least one group label, e.g. [${JSON.stringify(name)}].`,
    );
  }
  return labels;
}

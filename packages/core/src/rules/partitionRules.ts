import { SamConfigError } from "../internal/errors";
import type { ParamGroup } from "../params/groupParams";
import type { RuleState, UpdateRule } from "./updateRule";

/**
 * A different rule per group, chosen by group label (optax's `partition`). Every group of
 * the optimizer must have a rule here; a label here that no group has is an error too.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, partitionRules, adam, sgd, groupParams, hasTag, everything } from "@sam/core";
 *
 * const groups = groupParams(params, [
 *   { label: "head", select: { layerClass: "Dense" }, hyper: { lr: 1e-3 } },
 *   { label: "body", select: everything, hyper: { lr: 0.01 } },
 * ]);
 * const optimizer = new GroupedOptimizer({ groups, rule: partitionRules({ head: adam(), body: sgd({ momentum: 0.9 }) }) });
 * ```
 */
export function partitionRules(rules: Readonly<Record<string, UpdateRule>>): UpdateRule & {
  readonly rules: Readonly<Record<string, UpdateRule>>;
} {
  const labels = Object.keys(rules);
  if (labels.length === 0) {
    throw new SamConfigError(
      "partitionRules({}) has no rules. Map each group label to a rule: { head: adam(), body: sgd() }.",
    );
  }
  const ruleFor = (group: ParamGroup): UpdateRule => {
    const rule = rules[group.label];
    if (!rule) {
      throw new SamConfigError(
        `Group ${JSON.stringify(group.label)} has no rule in partitionRules (it has rules for ${labels.map((l) => JSON.stringify(l)).join(", ")}). Add { ${JSON.stringify(group.label)}: <rule> }.`,
      );
    }
    return rule;
  };
  return {
    kind: "partition",
    rules,
    defaults: {},
    init: (group) => ruleFor(group).init(group),
    isActive: (step, group) => ruleFor(group).isActive?.(step, group) ?? true,
    apply: (group, grads, state: RuleState, hyper, ctx) =>
      ruleFor(group).apply(group, grads, state, hyper, ctx),
    getConfig: () => ({
      kind: "partition",
      rules: Object.fromEntries(labels.map((l) => [l, rules[l]!.getConfig()])),
    }),
  };
}

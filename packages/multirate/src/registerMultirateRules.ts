import { registerRule, ruleFromConfig, type RuleConfig } from "@sam/core";
import { drift } from "./drift";
import { multirateRule } from "./multirateRule";
import { slowFirst } from "./slowFirst";
import { type SubgroupMultirateOptions, subgroupMultirate } from "./subgroupMultirate";

// Registers this package's rule kinds so that `GroupedOptimizer.fromConfig` / `load` can
// rebuild them. This module has side effects on purpose (listed in `sideEffects`).
registerRule("multirate", (c) =>
  multirateRule({
    periods: c.periods as Record<string, number>,
    drift: c.drift as boolean,
    stepSizeKey: c.stepSizeKey as string,
    base: ruleFromConfig(c.base as RuleConfig),
    rules: Object.fromEntries(
      Object.entries((c.rules ?? {}) as Record<string, RuleConfig>).map(([label, r]) => [
        label,
        ruleFromConfig(r),
      ]),
    ),
  }),
);
registerRule("multirateSubgroups", (c) => {
  const { kind: _kind, ...options } = c;
  return subgroupMultirate(options as SubgroupMultirateOptions);
});
registerRule("drift", (c) => drift(Number(c.k), ruleFromConfig(c.rule as RuleConfig)));
registerRule("slowFirst", (c) =>
  slowFirst(
    c.slowLabels as string[],
    ruleFromConfig(c.slow as RuleConfig),
    c.fastLabels as string[],
    ruleFromConfig(c.fast as RuleConfig),
  ),
);

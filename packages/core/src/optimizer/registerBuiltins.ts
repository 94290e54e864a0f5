import { plainGradient } from "../oracles/plainGradient";
import { adam, adamw } from "../rules/adam";
import { chainRules, clipByGlobalNorm } from "../rules/chainRules";
import { everyK } from "../rules/everyK";
import { partitionRules } from "../rules/partitionRules";
import { scaleLr } from "../rules/scaleLr";
import { sgd } from "../rules/sgd";
import type { RuleConfig } from "../rules/updateRule";
import { type AeSamOracleOptions, aeSamOracle } from "../sam/aeSamOracle";
import { type EsamOracleOptions, esamOracle } from "../sam/esamOracle";
import { type FisherSamOracleOptions, fisherSamOracle } from "../sam/fisherSamOracle";
import { type FriendlySamOracleOptions, friendlySamOracle } from "../sam/friendlySamOracle";
import { type GsamOracleOptions, gsamOracle } from "../sam/gsamOracle";
import { type LookSamOracleOptions, lookSamOracle } from "../sam/lookSamOracle";
import { type MomentumSamOracleOptions, momentumSamOracle } from "../sam/momentumSamOracle";
import { type SamOracleOptions, samOracle } from "../sam/samOracle";
import { registerOracle, registerRule, ruleFromConfig } from "./registry";

// Registers the built-in rules and oracles so that `GroupedOptimizer.fromConfig` can
// rebuild them. This module has side effects on purpose (listed in `sideEffects`).
const options = (config: RuleConfig) => {
  const { kind: _kind, ...rest } = config;
  return rest as Record<string, never>;
};
registerRule("sgd", (c) => sgd(options(c)));
registerRule("adam", (c) => adam(options(c)));
registerRule("adamw", (c) => adamw(options(c)));
registerRule("clipByGlobalNorm", (c) => clipByGlobalNorm(Number(c.maxNorm)));
registerRule("chain", (c) => chainRules(...(c.rules as RuleConfig[]).map(ruleFromConfig)));
registerRule("partition", (c) =>
  partitionRules(
    Object.fromEntries(
      Object.entries(c.rules as Record<string, RuleConfig>).map(([k, v]) => [k, ruleFromConfig(v)]),
    ),
  ),
);
registerRule("scaleLr", (c) =>
  scaleLr(Number(c.factor), ruleFromConfig(c.rule as RuleConfig), (c.key as string | undefined) ?? "lr"),
);
registerRule("everyK", (c) =>
  everyK(Number(c.k), ruleFromConfig(c.rule as RuleConfig), {
    gradient: c.gradient as "latest" | "mean",
    phase: Number(c.phase),
  }),
);
registerOracle("plain", () => plainGradient());
registerOracle("sam", (c) => {
  const { kind: _kind, ...options } = c;
  return samOracle(options as unknown as SamOracleOptions);
});
registerOracle("gsam", ({ kind: _kind, ...options }) => gsamOracle(options as unknown as GsamOracleOptions));
registerOracle("looksam", ({ kind: _kind, ...options }) =>
  lookSamOracle(options as unknown as LookSamOracleOptions),
);
registerOracle("msam", ({ kind: _kind, ...options }) =>
  momentumSamOracle(options as unknown as MomentumSamOracleOptions),
);
registerOracle("esam", ({ kind: _kind, ...options }) => esamOracle(options as unknown as EsamOracleOptions));
registerOracle("aesam", ({ kind: _kind, ...options }) =>
  aeSamOracle(options as unknown as AeSamOracleOptions),
);
registerOracle("fsam", ({ kind: _kind, ...options }) =>
  friendlySamOracle(options as unknown as FriendlySamOracleOptions),
);
registerOracle("fishersam", ({ kind: _kind, ...options }) =>
  fisherSamOracle(options as unknown as FisherSamOracleOptions),
);

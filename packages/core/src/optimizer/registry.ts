import { SamConfigError, show } from "../internal/errors";
import type { GradientOracle } from "../oracles/gradientOracle";
import { type AnyRule, asUpdateRule, type RuleConfig, type UpdateRule } from "../rules/updateRule";

type RuleFactory = (config: RuleConfig) => AnyRule;
type OracleFactory = (config: { kind: string; [option: string]: unknown }) => GradientOracle;

const rules = new Map<string, RuleFactory>();
const oracles = new Map<string, OracleFactory>();

/**
 * Makes a rule kind known to {@link ruleFromConfig}, so configs naming it can be loaded.
 * Packages register their rules when their module loads; register your own the same way.
 *
 * @example
 * ```ts
 * import { registerRule, sgd } from "@sam/core";
 *
 * registerRule("mySgd", (config) => sgd({ lr: Number(config.lr) }));
 * ```
 */
export function registerRule(kind: string, factory: RuleFactory): void {
  rules.set(kind, factory);
}

/**
 * Makes an oracle kind known to {@link oracleFromConfig}.
 *
 * @example
 * ```ts
 * import { registerOracle, plainGradient } from "@sam/core";
 *
 * registerOracle("plain", () => plainGradient());
 * ```
 */
export function registerOracle(kind: string, factory: OracleFactory): void {
  oracles.set(kind, factory);
}

/**
 * Rebuilds a rule from `rule.getConfig()`.
 *
 * @example
 * ```ts
 * import { ruleFromConfig, sgd } from "@sam/core";
 *
 * const copy = ruleFromConfig(sgd({ momentum: 0.9 }).getConfig());
 * ```
 */
export function ruleFromConfig(config: RuleConfig): UpdateRule {
  const factory = rules.get(config?.kind);
  if (!factory) {
    throw new SamConfigError(
      `The rule config ${show(config)} names the kind ${show(config?.kind)}, which is not registered (known: ${[...rules.keys()].join(", ")}). ` +
        "Import the package that defines it (e.g. @sam/langevin) before loading, or registerRule() it.",
    );
  }
  return asUpdateRule(factory(config));
}

/**
 * Rebuilds an oracle from `oracle.getConfig()`.
 *
 * @example
 * ```ts
 * import { oracleFromConfig } from "@sam/core";
 *
 * const oracle = oracleFromConfig({ kind: "plain" });
 * ```
 */
export function oracleFromConfig(config: { kind: string; [option: string]: unknown }): GradientOracle {
  const factory = oracles.get(config?.kind);
  if (!factory) {
    throw new SamConfigError(
      `The oracle config ${show(config)} names the kind ${show(config?.kind)}, which is not registered (known: ${[...oracles.keys()].join(", ")}). Import the package that defines it before loading.`,
    );
  }
  return factory(config);
}

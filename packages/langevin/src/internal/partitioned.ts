import {
  everything,
  GroupedOptimizer,
  layerIndex,
  type ParamSet,
  partitionRules,
  rejectValue,
  type Selector,
  type UpdateRule,
} from "@sam/core";
import type { ConstraintSpec } from "../constraint";
import type { NoiseSource } from "../noiseSource";

/** Options every partitioned-scheme constructor takes. */
export interface PartitionedOptions {
  /** The parameters (from `collectParams(model)` or `fromVariables`). */
  readonly params: ParamSet;
  /**
   * Which parameters form the first partition (group `first`); everything else is group
   * `rest`. Default `layerIndex(0)`: the first weight-owning layer, weights and biases (the
   * authors' split). Select by metadata (`{ layerIndex }`, `{ block }`, `{ tag }`), not by
   * name substrings; for `fromVariables` sets use `{ path }` globs.
   */
  readonly first?: Selector;
  /** Time step h shared by both partitions (a partitioned integrator has one h). Default 0.25. */
  readonly h?: number;
  /** Seed of the noise streams. Default 1. */
  readonly seed?: number;
  /** Noise source for both partitions. Default {@link defaultNoise} (`fastNoise`). */
  readonly noise?: NoiseSource;
}

/** Options of a partitioned scheme whose partitions take hyperparameters F (first) and R (rest). */
export interface PartitionedSchemeOptions<F, R> extends PartitionedOptions {
  /** Settings of the first partition (group `first`). */
  readonly firstHyper?: F;
  /** Settings of the rest (group `rest`). */
  readonly rest?: R;
  /** Constraints on tensors of the first partition. */
  readonly firstConstraints?: readonly ConstraintSpec[];
  /** Constraints on tensors of the rest. */
  readonly restConstraints?: readonly ConstraintSpec[];
}

/** Options of a partitioned scheme's rule (`lalaRule`, `adlalaRule`, `lolRule`). */
export interface PartitionedRuleOptions {
  readonly noise?: NoiseSource;
  readonly firstConstraints?: readonly ConstraintSpec[];
  readonly restConstraints?: readonly ConstraintSpec[];
}

/** A rule constructor of this package: `(defaults, { noise, constraints }) => rule`. */
type RuleFactory = (
  defaults: Record<string, never>,
  options: { noise?: NoiseSource; constraints: readonly ConstraintSpec[] },
) => UpdateRule;

/** `partitionRules({ first, rest })` over two of the package's rules, with the shared noise and each side's constraints. */
export function partitionedRule(
  first: RuleFactory,
  rest: RuleFactory,
  options: PartitionedRuleOptions,
): UpdateRule {
  const noise = options.noise ? { noise: options.noise } : {};
  return partitionRules({
    first: first({}, { ...noise, constraints: options.firstConstraints ?? [] }),
    rest: rest({}, { ...noise, constraints: options.restConstraints ?? [] }),
  });
}

/**
 * Builds the two-group optimizer of a partitioned scheme: group `first` (`options.first`,
 * default `layerIndex(0)`) with `firstHyper` over `firstDefaults`, group `rest` with `rest` over
 * `restDefaults`, both with the shared `h` (default 0.25), moved by `rule(options)`.
 */
export function partitionedScheme<F extends object, R extends object>(
  scheme: string,
  options: PartitionedSchemeOptions<F, R>,
  rule: (options: PartitionedRuleOptions) => UpdateRule,
  firstDefaults: Required<F>,
  restDefaults: Required<R>,
): GroupedOptimizer {
  if (!options || typeof options.params?.params !== "object") {
    rejectValue(
      `${scheme}(options).params`,
      options?.params,
      "it is not a ParamSet",
      "Pass { params: collectParams(model) }.",
    );
  }
  const shared = { h: options.h ?? 0.25 };
  const over = (defaults: object, given: object | undefined) => ({ ...defaults, ...defined(given ?? {}) });
  return new GroupedOptimizer({
    params: options.params,
    groups: [
      {
        label: "first",
        select: options.first ?? layerIndex(0),
        hyper: { ...shared, ...over(firstDefaults, options.firstHyper) },
      },
      { label: "rest", select: everything, hyper: { ...shared, ...over(restDefaults, options.rest) } },
    ],
    rule: rule({
      ...(options.noise ? { noise: options.noise } : {}),
      ...(options.firstConstraints ? { firstConstraints: options.firstConstraints } : {}),
      ...(options.restConstraints ? { restConstraints: options.restConstraints } : {}),
    }),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
}

/** Drops undefined entries so that the defaults apply. */
function defined(hyper: object): Record<string, number> {
  return Object.fromEntries(Object.entries(hyper).filter(([, v]) => v !== undefined)) as Record<
    string,
    number
  >;
}

import {
  everything,
  GroupedOptimizer,
  layerIndex,
  type ParamSet,
  type Selector,
  type UpdateRule,
} from "@sam/core";
import type { NoiseSource } from "../noiseSource";
import { fail } from "./errors";

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
  /** Time step h shared by both partitions (a partitioned integrator has one h). */
  readonly h?: number;
  /** Seed of the noise streams. Default 1. */
  readonly seed?: number;
  /** Noise source for both partitions. Default {@link defaultNoise} (`fastNoise`). */
  readonly noise?: NoiseSource;
}

/** Builds the two-group optimizer of a partitioned scheme. */
export function partitionedOptimizer(
  scheme: string,
  options: PartitionedOptions,
  rule: UpdateRule,
  firstHyper: Record<string, number>,
  restHyper: Record<string, number>,
): GroupedOptimizer {
  if (!options || typeof options.params?.params !== "object") {
    fail(
      `${scheme}(options).params`,
      options?.params,
      "it is not a ParamSet",
      "Pass { params: collectParams(model) }.",
    );
  }
  const h = options.h;
  const shared: Record<string, number> = h === undefined ? {} : { h };
  return new GroupedOptimizer({
    params: options.params,
    groups: [
      { label: "first", select: options.first ?? layerIndex(0), hyper: { ...shared, ...firstHyper } },
      { label: "rest", select: everything, hyper: { ...shared, ...restHyper } },
    ],
    rule,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
}

/** Drops undefined entries so that rule defaults apply. */
export function defined(hyper: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(hyper).filter(([, v]) => v !== undefined)) as Record<
    string,
    number
  >;
}

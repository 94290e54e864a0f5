import type { GroupedOptimizer, UpdateRule } from "@sam/core";
import {
  type PartitionedRuleOptions,
  type PartitionedSchemeOptions,
  partitionedRule,
  partitionedScheme,
} from "./internal/partitioned";
import { type LangevinHyper, langevin } from "./langevin";

/**
 * Options of {@link lala}: `firstHyper` and `rest` are the Langevin settings (friction,
 * temperature; default friction 0.1, temperature 1e-4) of the first partition and of the rest.
 */
export type LalaOptions = PartitionedSchemeOptions<Omit<LangevinHyper, "h">, Omit<LangevinHyper, "h">>;

/**
 * The LaLa rule (multi-layer Langevin): BAOAB Langevin on both groups `first` and `rest`,
 * each with its own friction and temperature read from the group. (Any number of layer
 * groups works with one `langevin()` rule; this two-group form mirrors AdLaLa and LOL.)
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, layerIndex, everything } from "@sam/core";
 * import { lalaRule } from "@sam/langevin";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "first", select: layerIndex(0), hyper: { h: 0.3, friction: 0.5, temperature: 0.02 } },
 *     { label: "rest", select: everything, hyper: { h: 0.3, friction: 2, temperature: 1e-3 } },
 *   ],
 *   rule: lalaRule(),
 * });
 * ```
 */
export function lalaRule(options: PartitionedRuleOptions = {}): UpdateRule {
  return partitionedRule(langevin, langevin, options);
}

/**
 * A ready LaLa optimizer: layer-wise Langevin with a partition-specific friction and
 * temperature (Leimkuhler, Matthews and Vlaar 2019), split first layer / rest by default.
 *
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { lala } from "@sam/langevin";
 *
 * const optimizer = lala({ params: collectParams(model), h: 0.25, firstHyper: { temperature: 1e-3 } });
 * ```
 */
export function lala(options: LalaOptions): GroupedOptimizer {
  const langevinDefaults = { temperature: 1e-4, friction: 0.1 };
  return partitionedScheme("lala", options, lalaRule, langevinDefaults, langevinDefaults);
}

import type { GroupedOptimizer, UpdateRule } from "@sam/core";
import {
  type PartitionedRuleOptions,
  type PartitionedSchemeOptions,
  partitionedRule,
  partitionedScheme,
} from "./internal/partitioned";
import { type LangevinHyper, langevin } from "./langevin";
import { type OverdampedHyper, overdampedLangevin } from "./overdampedLangevin";

/**
 * Options of {@link lol}: `firstHyper` the Langevin settings of the first partition (default
 * friction 0.1, temperature 1e-4), `rest` the overdamped settings of the rest (temperature 1e-4).
 */
export type LolOptions = PartitionedSchemeOptions<Omit<LangevinHyper, "h">, Omit<OverdampedHyper, "h">>;

/**
 * The LOL rule (Langevin + Overdamped Langevin): BAOAB Langevin ({@link langevin}) on group
 * `first`, the gamma = infinity limit ({@link overdampedLangevin}, `p <- sqrt(tau) R`) on group
 * `rest`. The authors' LOL notebook does not name the layers; by analogy with AdLaLa the
 * first layer is the Langevin partition (spec 2.4), and the split is the user's to change.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, layerIndex, everything } from "@sam/core";
 * import { lolRule } from "@sam/langevin";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "first", select: layerIndex(0), hyper: { h: 0.3, friction: 0.5, temperature: 0.01 } },
 *     { label: "rest", select: everything, hyper: { h: 0.3, temperature: 0.01 } },
 *   ],
 *   rule: lolRule(),
 * });
 * ```
 */
export function lolRule(options: PartitionedRuleOptions = {}): UpdateRule {
  return partitionedRule(langevin, overdampedLangevin, options);
}

/**
 * A ready LOL optimizer: Langevin on the first layer, overdamped Langevin on the rest.
 *
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { lol } from "@sam/langevin";
 *
 * const optimizer = lol({ params: collectParams(model), h: 0.25 });
 * ```
 */
export function lol(options: LolOptions): GroupedOptimizer {
  return partitionedScheme(
    "lol",
    options,
    lolRule,
    { temperature: 1e-4, friction: 0.1 },
    { temperature: 1e-4 },
  );
}

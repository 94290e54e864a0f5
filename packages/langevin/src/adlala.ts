import type { GroupedOptimizer, UpdateRule } from "@sam/core";
import { type AdaptiveLangevinHyper, adaptiveLangevin } from "./adaptiveLangevin";
import {
  type PartitionedRuleOptions,
  type PartitionedSchemeOptions,
  partitionedRule,
  partitionedScheme,
} from "./internal/partitioned";
import { type LangevinHyper, langevin } from "./langevin";

/**
 * Options of {@link adlala}: `firstHyper` holds the thermostat (Adaptive Langevin) settings of
 * the first partition (defaults: the authors' spiral values), `rest` the Langevin settings of
 * the rest (friction 0.1, temperature 1e-4).
 */
export interface AdlalaOptions
  extends PartitionedSchemeOptions<Omit<AdaptiveLangevinHyper, "h">, Omit<LangevinHyper, "h">> {
  /** @deprecated Renamed `firstHyper`, as in {@link lala} and {@link lol}; still read when `firstHyper` is absent. */
  readonly thermostat?: Omit<AdaptiveLangevinHyper, "h">;
}

/**
 * The AdLaLa rule: Adaptive Langevin ({@link adaptiveLangevin}, one thermostat per tensor) on
 * the group labelled `first`, BAOAB Langevin ({@link langevin}) on the group labelled `rest`.
 * Both share the kick and h; the inner sequences touch disjoint variables, so applying them
 * group by group is the same map as the authors' interleaved `A C D E D C A | A O A` (spec 2.4).
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, layerIndex, everything } from "@sam/core";
 * import { adlalaRule } from "@sam/langevin";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "first", select: layerIndex(0), hyper: { h: 0.25, sigmaA: 0.01, coupling: 0.05 } },
 *     { label: "rest", select: everything, hyper: { h: 0.25, friction: 0.1 } },
 *   ],
 *   rule: adlalaRule(),
 * });
 * ```
 */
export function adlalaRule(options: PartitionedRuleOptions = {}): UpdateRule {
  return partitionedRule(adaptiveLangevin, langevin, options);
}

/**
 * A ready AdLaLa optimizer (Leimkuhler, Matthews and Vlaar 2019): the first layer thermostatted
 * with Adaptive Langevin, the other layers with BAOAB Langevin, defaults from the authors'
 * two-spirals experiment (`h = 0.25`, `tau1 = tau2 = 1e-4`, `gamma = 0.1`, `sigma_A = 0.01`,
 * `epsilon = 0.05`, `xi0 = 0.1`). Groups `first` and `rest` hold the settings; change them
 * between steps through `optimizer.group('first').hyper`.
 *
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { adlala } from "@sam/langevin";
 *
 * const optimizer = adlala({ params: collectParams(model), firstHyper: { coupling: 0.1 } });
 * model.compile({ optimizer, loss: "binaryCrossentropy" });
 * ```
 */
export function adlala(options: AdlalaOptions): GroupedOptimizer {
  const firstHyper = options.firstHyper ?? options.thermostat;
  return partitionedScheme(
    "adlala",
    { ...options, ...(firstHyper ? { firstHyper } : {}) },
    adlalaRule,
    { temperature: 1e-4, sigmaA: 0.01, coupling: 0.05, xi0: 0.1 },
    { temperature: 1e-4, friction: 0.1 },
  );
}

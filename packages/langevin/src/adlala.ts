import { type GroupedOptimizer, partitionRules, type UpdateRule } from "@sam/core";
import { type AdaptiveLangevinHyper, adaptiveLangevin } from "./adaptiveLangevin";
import type { ConstraintSpec } from "./constraint";
import { defined, type PartitionedOptions, partitionedOptimizer } from "./internal/partitioned";
import { type LangevinHyper, langevin } from "./langevin";
import type { NoiseSource } from "./noiseSource";

/** Options of {@link adlala}. */
export interface AdlalaOptions extends PartitionedOptions {
  /** Thermostat (AdLa) settings of the first partition. Defaults: the authors' spiral values. */
  readonly thermostat?: Omit<AdaptiveLangevinHyper, "h">;
  /** Langevin settings of the rest. Defaults: friction 0.1, temperature 1e-4. */
  readonly rest?: Omit<LangevinHyper, "h">;
  /** Constraints on tensors of the first partition (constrained Adaptive Langevin there). */
  readonly firstConstraints?: readonly ConstraintSpec[];
  /** Constraints on tensors of the rest (constrained Langevin there). */
  readonly restConstraints?: readonly ConstraintSpec[];
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
export function adlalaRule(
  options: {
    noise?: NoiseSource;
    firstConstraints?: readonly ConstraintSpec[];
    restConstraints?: readonly ConstraintSpec[];
  } = {},
): UpdateRule {
  const noise = options.noise ? { noise: options.noise } : {};
  return partitionRules({
    first: adaptiveLangevin({}, { ...noise, constraints: options.firstConstraints ?? [] }),
    rest: langevin({}, { ...noise, constraints: options.restConstraints ?? [] }),
  });
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
 * const optimizer = adlala({ params: collectParams(model) });
 * model.compile({ optimizer, loss: "binaryCrossentropy" });
 * ```
 */
export function adlala(options: AdlalaOptions): GroupedOptimizer {
  const t = options.thermostat ?? {};
  const r = options.rest ?? {};
  return partitionedOptimizer(
    "adlala",
    { ...options, h: options.h ?? 0.25 },
    adlalaRule({
      ...(options.noise ? { noise: options.noise } : {}),
      ...(options.firstConstraints ? { firstConstraints: options.firstConstraints } : {}),
      ...(options.restConstraints ? { restConstraints: options.restConstraints } : {}),
    }),
    defined({
      temperature: t.temperature ?? 1e-4,
      sigmaA: t.sigmaA ?? 0.01,
      coupling: t.coupling ?? 0.05,
      xi0: t.xi0 ?? 0.1,
    }),
    defined({ temperature: r.temperature ?? 1e-4, friction: r.friction ?? 0.1 }),
  );
}

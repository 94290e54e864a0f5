import { type GroupedOptimizer, partitionRules, type UpdateRule } from "@sam/core";
import type { ConstraintSpec } from "./constraint";
import { defined, type PartitionedOptions, partitionedOptimizer } from "./internal/partitioned";
import { type LangevinHyper, langevin } from "./langevin";
import type { NoiseSource } from "./noiseSource";

/** Options of {@link lala}. */
export interface LalaOptions extends PartitionedOptions {
  /** Langevin settings of the first partition. Default friction 0.1, temperature 1e-4. */
  readonly firstHyper?: Omit<LangevinHyper, "h">;
  /** Langevin settings of the rest. Default friction 0.1, temperature 1e-4. */
  readonly rest?: Omit<LangevinHyper, "h">;
  /** Constraints on tensors of the first partition / of the rest. */
  readonly firstConstraints?: readonly ConstraintSpec[];
  readonly restConstraints?: readonly ConstraintSpec[];
}

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
export function lalaRule(
  options: {
    noise?: NoiseSource;
    firstConstraints?: readonly ConstraintSpec[];
    restConstraints?: readonly ConstraintSpec[];
  } = {},
): UpdateRule {
  const noise = options.noise ? { noise: options.noise } : {};
  return partitionRules({
    first: langevin({}, { ...noise, constraints: options.firstConstraints ?? [] }),
    rest: langevin({}, { ...noise, constraints: options.restConstraints ?? [] }),
  });
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
  const f = options.firstHyper ?? {};
  const r = options.rest ?? {};
  return partitionedOptimizer(
    "lala",
    { ...options, h: options.h ?? 0.25 },
    lalaRule({
      ...(options.noise ? { noise: options.noise } : {}),
      ...(options.firstConstraints ? { firstConstraints: options.firstConstraints } : {}),
      ...(options.restConstraints ? { restConstraints: options.restConstraints } : {}),
    }),
    defined({ temperature: f.temperature ?? 1e-4, friction: f.friction ?? 0.1 }),
    defined({ temperature: r.temperature ?? 1e-4, friction: r.friction ?? 0.1 }),
  );
}

import { type GroupedOptimizer, partitionRules, type UpdateRule } from "@sam/core";
import { defined, type PartitionedOptions, partitionedOptimizer } from "./internal/partitioned";
import { type LangevinHyper, langevin } from "./langevin";
import type { NoiseSource } from "./noiseSource";
import { type OverdampedHyper, overdampedLangevin } from "./overdampedLangevin";

/** Options of {@link lol}. */
export interface LolOptions extends PartitionedOptions {
  /** Langevin settings of the first partition. Default friction 0.1, temperature 1e-4. */
  readonly firstHyper?: Omit<LangevinHyper, "h">;
  /** Overdamped settings of the rest. Default temperature 1e-4. */
  readonly rest?: Omit<OverdampedHyper, "h">;
}

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
export function lolRule(options: { noise?: NoiseSource } = {}): UpdateRule {
  const noise = options.noise ? { noise: options.noise } : {};
  return partitionRules({ first: langevin({}, noise), rest: overdampedLangevin({}, noise) });
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
  const f = options.firstHyper ?? {};
  const r = options.rest ?? {};
  return partitionedOptimizer(
    "lol",
    { ...options, h: options.h ?? 0.25 },
    lolRule(options.noise ? { noise: options.noise } : {}),
    defined({ temperature: f.temperature ?? 1e-4, friction: f.friction ?? 0.1 }),
    defined({ temperature: r.temperature ?? 1e-4 }),
  );
}

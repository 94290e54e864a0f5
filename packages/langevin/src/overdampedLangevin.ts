import type { UpdateRule } from "@sam/core";
import { type LangevinOptions, underdampedRule } from "./langevin";

/** Hyperparameters of {@link overdampedLangevin} (per group, schedulable). */
export type OverdampedHyper = {
  /** Time step h; the effective gradient step is h^2 / 2. Default 0.1. Must be > 0. */
  h?: number;
  /** Temperature tau in mean-loss units. Default 1e-4. */
  temperature?: number;
};

/**
 * Overdamped Langevin as the gamma -> infinity limit of BAOAB (Leimkuhler and Matthews): the
 * "overdamped" partition of LOL (spec 2.4). The O-step replaces the momentum by a fresh draw
 * (c = 0, d = sqrt(tau)):
 *
 * ```
 * p     <- p - kappa_n g_n        (kappa_0 = h/2, then h)
 * theta <- theta + (h/2) p
 * p     <- sqrt(tau) R_n          (the stored momentum)
 * theta <- theta + (h/2) p
 * ```
 * so `theta_{n+1} = theta_n - (h^2/2) g_n + (h/2) sqrt(tau) (R_n + R_{n-1})`: exact
 * `Var theta = tau/k` on Gaussians. Not Euler-Maruyama with step h (that is {@link sgld}).
 * At tau = 0 with `firstKick: 'full'` it is SGD with `lr = h^2 / 2`. Takes the same
 * `constraints` as {@link langevin}.
 *
 * @example
 * ```ts
 * import { partitionRules } from "@sam/core";
 * import { langevin, overdampedLangevin } from "@sam/langevin";
 *
 * const rule = partitionRules({ first: langevin(), rest: overdampedLangevin() }); // LOL
 * ```
 */
export function overdampedLangevin(
  defaults: OverdampedHyper = {},
  options: Omit<LangevinOptions, "order"> = {},
): UpdateRule {
  return underdampedRule("overdamped", defaults as Record<string, number | undefined>, {
    ...options,
    order: "BAOAB",
  });
}

import { describeValue, SamConfigError } from "@sam/core";
import { checkPeriod } from "./internal/checkPeriod";

/**
 * The cost model of multirate training (spec section 1.4): with rho = T_fast / T_full the
 * cost of a fast-only step (forward, head backward, drift) relative to a full step, and the
 * synchronisation step costing about T_full, one step costs on average
 *
 * ```
 * T_multirate = ((k - 1) T_fast + T_slow) / k ~ T_full (1 + (k - 1) rho) / k
 * speed-up S(k) = T_full / T_multirate = k / (1 + (k - 1) rho)      (at most 1 / rho)
 * ```
 *
 * @returns S(k); the predicted time ratio (multirate over full) is its inverse.
 *
 * @example
 * ```ts
 * import { multirateSpeedup } from "@sam/multirate";
 *
 * multirateSpeedup(5, 0.386); // 1.97: ResNet-50 on CIFAR-100, the paper's "half the time"
 * ```
 */
export function multirateSpeedup(k: number, fastStepOverFullStep: number): number {
  checkPeriod("multirateSpeedup k", k);
  const rho = fastStepOverFullStep;
  if (typeof rho !== "number" || !(rho > 0)) {
    throw new SamConfigError(
      `multirateSpeedup fastStepOverFullStep is ${describeValue(rho)}: it must be a positive number, T_fast / T_full measured on your backend (about 0.4 on GPUs).`,
    );
  }
  return k / (1 + (k - 1) * rho);
}

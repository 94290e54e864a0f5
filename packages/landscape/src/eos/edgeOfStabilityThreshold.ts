import { SamConfigError } from "@sam/core";

/** Options of {@link edgeOfStabilityThreshold}. */
export interface ThresholdOptions {
  /** Heavy-ball momentum beta. Default 0. */
  readonly momentum?: number;
  /** Nesterov momentum instead of heavy ball. Default false. */
  readonly nesterov?: boolean;
  /**
   * The momentum is an exponential moving average, m <- beta m + (1 - beta) g, as Adam's first
   * moment: the threshold is (2 + 2 beta) / ((1 - beta) eta), 38 / eta for beta = 0.9. Default false.
   */
  readonly ema?: boolean;
}

/**
 * The sharpness at which gradient descent with step eta stops being stable on a quadratic,
 * the line sharpness hovers at on the edge of stability (Cohen et al. 2021):
 * - plain GD: 2 / eta;
 * - heavy-ball momentum beta: (2 + 2 beta) / eta;
 * - Nesterov momentum beta: (2 + 2 beta) / (eta (1 + 2 beta));
 * - momentum as an exponential moving average (`ema`, Adam's m with beta = beta_1):
 *   (2 + 2 beta) / ((1 - beta) eta), the bound on the preconditioned sharpness
 *   lambda_max(P^-1 H) of Adam (Cohen et al. 2022), 38 / eta for beta_1 = 0.9.
 *
 * @example
 * ```ts
 * import { edgeOfStabilityThreshold } from "@sam/landscape";
 *
 * edgeOfStabilityThreshold(0.01);                    // 200
 * edgeOfStabilityThreshold(0.01, { momentum: 0.9 }); // 380
 * ```
 */
export function edgeOfStabilityThreshold(lr: number, options: ThresholdOptions = {}): number {
  if (!(typeof lr === "number" && lr > 0 && Number.isFinite(lr))) {
    throw new SamConfigError(
      `The learning rate is ${lr}: the edge-of-stability threshold 2/lr needs a positive lr.`,
    );
  }
  const beta = options.momentum ?? 0;
  if (!(beta >= 0 && beta < 1)) {
    throw new SamConfigError(`momentum is ${beta}: it must be in [0, 1).`);
  }
  if (options.ema && options.nesterov) {
    throw new SamConfigError(
      "ema and nesterov are both set: the thresholds are for one or the other; pick one.",
    );
  }
  if (options.ema) return (2 + 2 * beta) / ((1 - beta) * lr);
  return options.nesterov ? (2 + 2 * beta) / (lr * (1 + 2 * beta)) : (2 + 2 * beta) / lr;
}

import { SamConfigError } from "@sam/core";

/** Options of {@link edgeOfStabilityThreshold}. */
export interface ThresholdOptions {
  /** Heavy-ball momentum beta. Default 0. */
  readonly momentum?: number;
  /** Nesterov momentum instead of heavy ball. Default false. */
  readonly nesterov?: boolean;
}

/**
 * The sharpness at which gradient descent with step eta stops being stable on a quadratic,
 * the line sharpness hovers at on the edge of stability (Cohen et al. 2021):
 * - plain GD: 2 / eta;
 * - heavy-ball momentum beta: (2 + 2 beta) / eta;
 * - Nesterov momentum beta: (2 + 2 beta) / (eta (1 + 2 beta)).
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
  return options.nesterov ? (2 + 2 * beta) / (lr * (1 + 2 * beta)) : (2 + 2 * beta) / lr;
}

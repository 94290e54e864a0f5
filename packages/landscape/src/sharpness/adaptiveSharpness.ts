import type * as tf from "@tensorflow/tfjs-core";
import type { ParamsLike } from "../internal/resolveParams";
import {
  type SharpnessResult,
  type WorstCaseSharpnessOptions,
  worstCaseSharpness,
} from "./worstCaseSharpness";

/** Options of {@link adaptiveSharpness}: those of {@link worstCaseSharpness} with `eta` in place of `adaptive`. */
export interface AdaptiveSharpnessOptions extends Omit<WorstCaseSharpnessOptions, "adaptive"> {
  /** Offset eta of T = diag(|w_i| + eta). Default 0.01 (ASAM); 0 makes the measure scale-invariant. */
  readonly eta?: number;
}

/**
 * ASAM's adaptive sharpness (Kwon et al. 2021):
 *
 *   max_{||T^-1 delta||_p <= rho} L(w + delta) - L(w),   T = diag(|w_i| + eta) on the weights,
 *
 * T = 1 on biases and normalization shifts: the tensors are those `asam()` scales (kernels and
 * normalization scales, Kwon et al.'s code), so with K = 1 the value is the loss rise of
 * asam's own perturbation e = rho T^2 g / ||T g||.
 * that is {@link worstCaseSharpness} with `adaptive: { eta }`. With eta = 0 it does not
 * change when a layer is scaled by c and the next by 1/c (a ReLU network computes the same
 * function), unlike the plain SAM proxy. ASAM's defaults: rho = 0.5 (CIFAR-10), eta = 0.01.
 *
 * @example
 * ```ts
 * import { adaptiveSharpness } from "@sam/landscape";
 *
 * const { sharpness } = adaptiveSharpness(params, lossFn, { rho: 0.5 });
 * ```
 */
export function adaptiveSharpness(
  params: ParamsLike,
  lossFn: () => tf.Scalar,
  options: AdaptiveSharpnessOptions,
): SharpnessResult {
  const { eta, ...rest } = options;
  return worstCaseSharpness(params, lossFn, { ...rest, adaptive: { eta: eta ?? 0.01 } });
}

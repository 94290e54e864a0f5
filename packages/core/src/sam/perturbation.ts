import * as tf from "@tensorflow/tfjs-core";

/**
 * How ASAM rescales a tensor's coordinates (the operator T_i of Kwon et al. 2021):
 *
 * | mode | T_i | as in |
 * | --- | --- | --- |
 * | `elementwise` | abs(w_i) + eta | SamsungLabs/ASAM (Kwon et al.), SAM-ON `--elementwise` |
 * | `abs` | abs(w_i) | davda54/sam `adaptive=True` |
 * | `layerwise` | norm2(w_i) * (1 + eta), one number for the whole tensor | SAM-ON `--layerwise` |
 */
export type AdaptiveMode = "elementwise" | "abs" | "layerwise";

/** One tensor of the perturbed set S. */
export interface PerturbedTensor {
  /** w_i, the current value. */
  readonly weight: tf.Tensor;
  /** g_i, the first-pass gradient (null: the loss does not depend on it; e_i = 0). */
  readonly grad: tf.Tensor | null;
  /** Whether ASAM's operator T_i applies to this tensor (else T_i = 1). */
  readonly adaptive: boolean;
}

/** The perturbation rule. */
export interface PerturbationRule {
  /** rho, the radius (SAM, ASAM) or the gradient multiplier (USAM). */
  readonly rho: number;
  /** `2` (SAM, ASAM, USAM) or `'inf'` (the l-infinity ball of SAM-ON's ASAM_ON `--p infinity`). */
  readonly norm: 2 | "inf";
  /** false: USAM, e = rho * g with no division by the norm. */
  readonly normalized: boolean;
  /** ASAM's operator for the tensors marked `adaptive`, or null for plain SAM. */
  readonly adaptive: { readonly mode: AdaptiveMode; readonly eta: number } | null;
  /** epsilon in rho / (||v|| + epsilon). */
  readonly epsilon: number;
}

/**
 * The ascent step e = (e_i) for the tensors of the perturbed set S, from the first-pass
 * gradients g_i at the weights w_i. With T_i the ASAM operator (1 for plain SAM and for
 * tensors not marked adaptive):
 *
 * ```
 * p = 2, normalized (SAM, ASAM):  v_i = T_i g_i,   n = sqrt(sum_{i in S} ||v_i||^2)
 *                                 e_i = rho * T_i^2 g_i / (n + epsilon),   e = 0 when n = 0
 * p = 2, unnormalized (USAM):     e_i = rho * g_i
 * p = inf (l-infinity ball):      e_i = rho * T_i * sign(g_i)
 * ```
 * The norm n runs over S only (SAM-ON semantics: the perturbation has length rho inside
 * the perturbed subspace). Returns one tensor per input (zeros where `grad` is null), and
 * n (or null when no norm is taken); everything stays on the device.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { perturbation } from "@sam/core";
 *
 * const { deltas } = perturbation(
 *   [{ weight: tf.tensor1d([1, 2]), grad: tf.tensor1d([3, 4]), adaptive: false }],
 *   { rho: 0.5, norm: 2, normalized: true, adaptive: null, epsilon: 0 },
 * );
 * deltas[0].print(); // [0.3, 0.4]
 * ```
 */
export function perturbation(
  tensors: readonly PerturbedTensor[],
  rule: PerturbationRule,
): { deltas: tf.Tensor[]; gradNorm: tf.Scalar | null } {
  const T = tensors.map((t) => (t.adaptive && rule.adaptive ? operator(t.weight, rule.adaptive) : null));
  const g = tensors.map((t) => t.grad ?? tf.zerosLike(t.weight));
  if (!rule.normalized) return { deltas: g.map((gi) => tf.mul(rule.rho, gi)), gradNorm: null };
  if (rule.norm === "inf") {
    return {
      deltas: g.map((gi, i) => {
        const s = tf.sign(gi);
        return tf.mul(rule.rho, T[i] ? tf.mul(T[i]!, s) : s);
      }),
      gradNorm: null,
    };
  }
  const v = g.map((gi, i) => (T[i] ? tf.mul(T[i]!, gi) : gi));
  const n = tf.sqrt(tf.addN(v.map((vi) => tf.sum(tf.square(vi))))) as tf.Scalar;
  // rho / (n + epsilon), and 0 where n = 0 so that a zero gradient gives no perturbation (not NaN)
  const scale = tf.where(tf.greater(n, 0), tf.div(rule.rho, tf.add(n, rule.epsilon)), tf.zerosLike(n));
  return {
    deltas: g.map((gi, i) => tf.mul(scale, T[i] ? tf.mul(tf.square(T[i]!), gi) : gi)),
    gradNorm: n,
  };
}

function operator(w: tf.Tensor, a: { mode: AdaptiveMode; eta: number }): tf.Tensor {
  switch (a.mode) {
    case "elementwise":
      return tf.add(tf.abs(w), a.eta);
    case "abs":
      return tf.abs(w);
    case "layerwise":
      return tf.mul(tf.norm(w), 1 + a.eta);
  }
}

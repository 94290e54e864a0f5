import * as tf from "@tensorflow/tfjs-core";

/**
 * Gradient of `FusedBatchNorm` in closed form: 2 reductions and 1 full pass for the common case
 * (per-channel statistics), against ~15 full-size ops for tfjs-core's own gradient.
 *
 * Symbols: x [..., C]; per channel c the inputs mean mu[c], variance v[c], scale gamma[c] (1 when
 * absent), offset beta[c]; epsilon eps; r[c] = 1/sqrt(v[c] + eps); dy the output gradient; sums
 * run over every element of channel c. The op is y = (x - mu) * r * gamma + beta, so
 *
 *     S1[c] = sum dy,   S2[c] = sum dy * (x - mu),
 *     dx    = dy * (gamma * r)
 *     dbeta = S1,       dgamma = r * S2,
 *     dmu   = -gamma * r * S1,
 *     dv    = -1/2 * gamma * r^3 * S2.
 *
 * These hold for any mu and v (batch statistics or moving averages), so this gradient is
 * exact on every backend. Statistics that are not per-channel vectors (mean of the same rank as
 * x) fall back to `original`, tfjs-core's gradient.
 *
 * @example
 * ```ts
 * tf.registerGradient(makeFusedBatchNormGradConfig(tf.getGradient("FusedBatchNorm")!));
 * ```
 */
export function makeFusedBatchNormGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ["x", "mean", "variance", "scale"],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as tf.Tensor[];
      const c = x!.shape[x!.rank - 1];
      if (mean!.rank !== 1 || mean!.shape[0] !== c || Array.isArray(dy)) {
        return original.gradFunc(dy, saved, attrs);
      }
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      const axes = [...Array(x!.rank - 1).keys()];
      const g = dy as tf.Tensor;
      const gamma = scale ?? tf.onesLike(mean!);
      const r = tf.rsqrt(tf.add(variance!, tf.scalar(varianceEpsilon)));
      const gammaR = tf.mul(gamma, r);
      // Computed here, not in the thunks: each thunk runs in its own tidy, so a sum shared
      // between thunks would be disposed after the first one (tfjs-core does the same).
      const s1 = tf.sum(g, axes);
      const s2 = tf.sum(tf.mul(g, tf.sub(x!, mean!)), axes);
      return {
        x: () => tf.mul(g, gammaR),
        mean: () => tf.neg(tf.mul(gammaR, s1)),
        variance: () => tf.mul(tf.mul(gammaR, tf.mul(tf.square(r), tf.scalar(-0.5))), s2),
        scale: () => tf.mul(r, s2),
        offset: () => tf.reshape(s1, mean!.shape),
      };
    },
  };
}

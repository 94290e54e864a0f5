import * as tf from "@tensorflow/tfjs-core";
import { ELEMENTWISE_BATCH_NORM_GRAD } from "../kernels/elementwiseBatchNormGrad";

/** Same elements in the same order: equal shapes but for leading axes of 1. */
function sameElements(a: tf.Tensor, b: tf.Tensor): boolean {
  const core = (shape: number[]) => shape.slice(shape.findIndex((d) => d !== 1)).join();
  return a.size === b.size && core(a.shape) === core(b.shape);
}

/**
 * Whether the compiled elementwise gradient runs: it is registered for the active backend (wasm)
 * and every operand is float32 with x's elements (tfjs-layers' LayerNormalization).
 */
function elementwiseKernelApplies(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  scale?: tf.Tensor,
): boolean {
  if (!tf.getKernel(ELEMENTWISE_BATCH_NORM_GRAD, tf.getBackend())) return false;
  return [x, mean, variance, ...(scale ? [scale] : [])].every(
    (t) => t.dtype === "float32" && sameElements(t, x),
  );
}

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
 * exact on every backend. Statistics with x's elements (tfjs-layers' `LayerNormalization` tiles
 * them to x's shape) take the same formulas elementwise, with no sums, in one pass of the compiled
 * wasm kernel `SamElementwiseBatchNormGrad` where the active backend has it registered
 * (`registerWasmTrainingKernels`); other shapes, and those on other backends, fall back to
 * `original`, tfjs-core's gradient.
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
      if (!Array.isArray(dy) && elementwiseKernelApplies(x!, mean!, variance!, scale)) {
        const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
        const inputs: tf.NamedTensorMap = { x: x!, mean: mean!, variance: variance!, dy: dy as tf.Tensor };
        if (scale) inputs.scale = scale;
        const [dx, dmean, dvariance, dscale] = tf
          .engine()
          .runKernel(ELEMENTWISE_BATCH_NORM_GRAD, inputs, { varianceEpsilon }) as tf.Tensor[];
        return {
          x: () => dx!,
          mean: () => dmean!,
          variance: () => dvariance!,
          scale: () => dscale!,
          offset: () => tf.reshape(dy as tf.Tensor, mean!.shape),
        };
      }
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

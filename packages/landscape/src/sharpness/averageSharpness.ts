import { createRng, ParamSnapshot, SamConfigError, type Selector, withPerturbation } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type ParamsLike, resolveParams } from "../internal/resolveParams";
import { scalarValue } from "../internal/scalar";

/** Options of {@link averageSharpness}. */
export interface AverageSharpnessOptions {
  /** Standard deviation sigma of the Gaussian perturbation. Required. */
  readonly sigma: number;
  /** Antithetic pairs (+delta, -delta) drawn. Default 50. */
  readonly samples?: number;
  /** Scale the noise per coordinate by |w_i| + eta (adaptive, as ASAM's metric). Default: plain. */
  readonly adaptive?: { readonly eta?: number };
  /** Only these parameters are perturbed. */
  readonly select?: Selector;
  /** Seed of the noise. Default 1. */
  readonly seed?: number;
}

/** What {@link averageSharpness} estimated (plain JSON). */
export interface AverageSharpnessResult {
  /** Estimate of E[L(w + delta)] - L(w). */
  sharpness: number;
  /** Standard error of that estimate. */
  standardError: number;
  /** L(w). */
  loss: number;
  /** Antithetic pairs used. */
  samples: number;
}

/**
 * Average-case (PAC-Bayes style) sharpness, E_{delta ~ N(0, sigma^2 I)} L(w + delta) - L(w),
 * estimated with antithetic pairs: each sample is (L(w + delta) + L(w - delta)) / 2 - L(w),
 * which cancels the odd-order terms, so on a quadratic every sample is exactly
 * delta^T A delta / 2 and the mean is sigma^2 tr(A) / 2 (lambda = (10, 5, 1, 0.1),
 * sigma = 0.1: 0.0805). For small sigma in general it is about sigma^2 tr(H) / 2.
 * Weights are restored exactly after each evaluation.
 *
 * @example
 * ```ts
 * import { averageSharpness } from "@sam/landscape";
 *
 * const { sharpness, standardError } = averageSharpness(params, lossFn, { sigma: 0.01, samples: 20 });
 * ```
 */
export function averageSharpness(
  params: ParamsLike,
  lossFn: () => tf.Scalar,
  options: AverageSharpnessOptions,
): AverageSharpnessResult {
  const sigma = options?.sigma;
  if (!(typeof sigma === "number" && sigma > 0 && Number.isFinite(sigma))) {
    throw new SamConfigError(
      `averageSharpness sigma is ${sigma}: it must be a positive standard deviation such as 0.01.`,
    );
  }
  const samples = options.samples ?? 50;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new SamConfigError(
      `averageSharpness samples is ${samples}: it must be a positive integer such as 50.`,
    );
  }
  const list = resolveParams(params, options.select);
  const loss = scalarValue(lossFn);
  const snapshot = new ParamSnapshot(list);
  const eta = options.adaptive?.eta ?? 0;
  const t = options.adaptive ? list.map((q) => tf.tidy(() => tf.add(tf.abs(q.variable), eta))) : null;
  const rng = createRng(options.seed ?? 1);
  const values: number[] = [];
  try {
    for (let s = 0; s < samples; s++) {
      const z = list.map((q) =>
        tf.tensor(Float32Array.from(rng.normalVector(q.size)), [...q.shape], "float32"),
      );
      const pair = tf.tidy(() => {
        const delta = z.map((x, i) => (t ? tf.mul(tf.mul(x, sigma), t[i]!) : tf.mul(x, sigma)));
        const plus = withPerturbation(snapshot, delta, () => lossFn());
        const minus = withPerturbation(
          snapshot,
          delta.map((d) => tf.neg(d)),
          () => lossFn(),
        );
        return tf.stack([plus, minus]);
      });
      const [a, b] = pair.dataSync();
      tf.dispose([pair, ...z]);
      values.push((a! + b!) / 2 - loss);
    }
  } finally {
    if (t) tf.dispose(t);
    snapshot.dispose();
  }
  const mean = values.reduce((x, y) => x + y, 0) / samples;
  const variance = samples > 1 ? values.reduce((x, y) => x + (y - mean) ** 2, 0) / (samples - 1) : 0;
  return { sharpness: mean, standardError: Math.sqrt(variance / samples), loss, samples };
}

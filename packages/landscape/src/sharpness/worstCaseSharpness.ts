import {
  compileSelector,
  createRng,
  ParamSnapshot,
  SamConfigError,
  type Selector,
  type SelectorSpec,
  withPerturbation,
} from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type ParamsLike, resolveParams } from "../internal/resolveParams";
import { scalarValue } from "../internal/scalar";

/** Options of {@link worstCaseSharpness}. */
export interface WorstCaseSharpnessOptions {
  /** Radius rho of the ball (in the adaptive metric when `adaptive` is set). Required. */
  readonly rho: number;
  /** `'l2'` (default) or `'linf'` ball. */
  readonly norm?: "l2" | "linf";
  /**
   * Ascent steps K. 1 (default) is SAM's first-order inner solution eps = rho g / ||g|| (the
   * SAM sharpness proxy); K > 1 is projected normalised gradient ascent from a small random start.
   */
  readonly steps?: number;
  /** Ascent step length (in the ball's metric). Default rho. */
  readonly stepSize?: number;
  /**
   * ASAM: measure in the metric of T = diag(|w_i| + eta), so the ball is ||T^-1 delta|| <= rho.
   * T applies to the tensors `params` selects and is 1 on the others. Default `params`: the
   * weights (`weight` or `norm-scale` tags: kernels and normalization scales), the default of
   * `asam()` and of ASAM's code, so biases and BatchNorm shifts are measured in the plain metric.
   */
  readonly adaptive?: { readonly eta?: number; readonly params?: Selector };
  /** Only these parameters are perturbed (e.g. `hasTag('norm')` for SAM-ON). */
  readonly select?: Selector;
  /** Seed of the random start (K > 1). Default 1. */
  readonly seed?: number;
}

/**
 * The tensors ASAM's operator applies to by default: kernels and normalization scales, as
 * `samOracle`'s `adaptive.params` default (PyTorch's `weight` parameters in Kwon et al.'s code).
 */
const ASAM_WEIGHTS: SelectorSpec = { or: [{ tag: "weight" }, { tag: "norm-scale" }] };

/** What a sharpness measure found (plain JSON). */
export interface SharpnessResult {
  /** The sharpness: perturbed loss minus `loss`. */
  sharpness: number;
  /** L(w). */
  loss: number;
  /** The largest perturbed loss found. */
  perturbedLoss: number;
  /** Loss evaluations with gradients used. */
  gradientEvaluations: number;
  /** Norm of the final perturbation delta (plain l2 norm, whatever the metric). */
  perturbationNorm: number;
}

/**
 * Worst-case sharpness in a rho-ball, the quantity SAM minimises:
 *
 *   S_rho(w) = max_{||T^-1 delta||_p <= rho} L(w + delta) - L(w),
 *
 * w the selected parameters, delta their perturbation, p = 2 or infinity, T = I (SAM) or
 * T = diag(|w_i| + eta) on the weights and 1 on biases and normalization shifts (ASAM,
 * Kwon et al. 2021, which makes it invariant to rescalings that leave the function unchanged
 * when eta = 0; the same tensors as `asam()`, so the K = 1 value is the loss rise of asam's
 * own perturbation). Writing delta = T u with ||u||_p <= rho,
 * the gradient in u is T g (g = grad L(w + delta)):
 * - K = 1: u = rho T g / ||T g||_2 (p = 2) or rho sign(g) (p = inf): SAM's
 *   eps = rho g / ||g|| and ASAM's eps = rho T^2 g / ||T g||;
 * - K > 1: from a small random u_0 (at an exact minimum u_0 = 0 has zero gradient and never
 *   moves), u <- Proj_ball(u + stepSize * d) with d = T g / ||T g||_2 or sign(T g).
 * The largest loss seen is reported. On a quadratic at its minimum the l2 value is
 * rho^2 lambda_max / 2. The weights are restored exactly after every evaluation.
 *
 * @example
 * ```ts
 * import { worstCaseSharpness } from "@sam/landscape";
 *
 * const sam = worstCaseSharpness(params, lossFn, { rho: 0.05 });               // SAM one-step proxy
 * const worst = worstCaseSharpness(params, lossFn, { rho: 0.05, steps: 20 }); // 20-step ascent
 * console.log(sam.sharpness, worst.sharpness);
 * ```
 */
export function worstCaseSharpness(
  params: ParamsLike,
  lossFn: () => tf.Scalar,
  options: WorstCaseSharpnessOptions,
): SharpnessResult {
  const rho = options?.rho;
  if (!(typeof rho === "number" && rho > 0 && Number.isFinite(rho))) {
    throw new SamConfigError(
      `worstCaseSharpness rho is ${rho}: it must be a positive radius such as 0.05 (SAM) or 0.5 (ASAM).`,
    );
  }
  const p = options.norm ?? "l2";
  if (p !== "l2" && p !== "linf") {
    throw new SamConfigError(`worstCaseSharpness norm is ${JSON.stringify(p)}: use "l2" or "linf".`);
  }
  const steps = options.steps ?? 1;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new SamConfigError(
      `worstCaseSharpness steps is ${steps}: it must be a positive integer (1 = SAM proxy).`,
    );
  }
  const eta = options.adaptive ? (options.adaptive.eta ?? 0.01) : 0;
  if (options.adaptive && !(eta >= 0)) {
    throw new SamConfigError(`worstCaseSharpness adaptive.eta is ${eta}: it must be >= 0 (ASAM uses 0.01).`);
  }
  const stepSize = options.stepSize ?? rho;
  const list = resolveParams(params, options.select);
  const loss = scalarValue(lossFn);
  const snapshot = new ParamSnapshot(list);
  const adaptiveOf = options.adaptive ? compileSelector(options.adaptive.params ?? ASAM_WEIGHTS) : null;
  const t = adaptiveOf
    ? list.map((q) =>
        adaptiveOf(q) ? tf.tidy(() => tf.add(tf.abs(q.variable), eta)) : tf.onesLike(q.variable),
      )
    : null;
  const rng = createRng(options.seed ?? 1);
  let u: tf.Tensor[] = list.map((q) =>
    steps === 1
      ? tf.zerosLike(q.variable)
      : tf.tensor(Float32Array.from(rng.normalVector(q.size)), [...q.shape], "float32"),
  );
  if (steps > 1) {
    // Scale the random start to 1e-3 rho.
    const next = tf.tidy(() => {
      const n = p === "l2" ? globalNormTensor(u) : tf.max(tf.stack(u.map((x) => tf.max(tf.abs(x)))));
      return u.map((x) => tf.mul(x, tf.div(1e-3 * rho, n)));
    });
    tf.dispose(u);
    u = next;
  }
  const deltaOf = (uu: readonly tf.Tensor[]) => (t ? uu.map((x, i) => tf.mul(x, t[i]!)) : [...uu]);
  let best = Number.NEGATIVE_INFINITY;
  let evaluations = 0;
  try {
    for (let k = 0; k < steps; k++) {
      const { lossAt, nu } = tf.tidy(() => {
        let lossAt!: tf.Scalar;
        const g = withPerturbation(snapshot, deltaOf(u), () => {
          const r = tf.variableGrads(
            lossFn,
            list.map((q) => q.variable),
          );
          lossAt = r.value;
          return list.map((q) => r.grads[q.variable.name] ?? tf.zerosLike(q.variable));
        });
        const tg = t ? g.map((x, i) => tf.mul(x, t[i]!)) : g;
        const dir =
          p === "l2"
            ? tg.map((x) => tf.div(x, tf.maximum(globalNormTensor(tg), 1e-12)))
            : tg.map((x) => tf.sign(x));
        let nu =
          steps === 1
            ? dir.map((d) => tf.mul(d, rho))
            : u.map((x, i) => tf.add(x, tf.mul(dir[i]!, stepSize)));
        if (p === "l2") {
          const factor = tf.minimum(1, tf.div(rho, tf.maximum(globalNormTensor(nu), 1e-30)));
          nu = nu.map((x) => tf.mul(x, factor));
        } else nu = nu.map((x) => tf.clipByValue(x, -rho, rho));
        return { lossAt, nu };
      });
      evaluations++;
      const v = lossAt.dataSync()[0]!;
      lossAt.dispose();
      if (k > 0 || steps > 1) best = Math.max(best, v);
      tf.dispose(u);
      u = nu;
    }
    const finalLoss = tf.tidy(() => withPerturbation(snapshot, deltaOf(u), () => lossFn()));
    const finalNorm = tf.tidy(() => globalNormTensor(deltaOf(u)));
    best = Math.max(best, finalLoss.dataSync()[0]!);
    const perturbationNorm = finalNorm.dataSync()[0]!;
    tf.dispose([finalLoss, finalNorm]);
    return {
      sharpness: best - loss,
      loss,
      perturbedLoss: best,
      gradientEvaluations: evaluations,
      perturbationNorm,
    };
  } finally {
    tf.dispose(u);
    if (t) tf.dispose(t);
    snapshot.dispose();
  }
}

/** sqrt(sum_i ||x_i||^2) as a scalar tensor (inside the caller's tidy). */
function globalNormTensor(xs: readonly tf.Tensor[]): tf.Scalar {
  return tf.sqrt(tf.addN(xs.map((x) => tf.sum(tf.square(x))))) as tf.Scalar;
}

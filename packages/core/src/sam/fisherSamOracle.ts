import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError, show } from "../internal/errors";
import type { GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import type { ParamGroup } from "../params/groupParams";
import type { ParamSet } from "../params/param";
import { dotAll } from "./samAlgebra";
import {
  bindSam,
  clip,
  type PerturbationOf,
  type SamDiagnostics,
  type SamOracle,
  type SamOracleOptions,
  samConfig,
  samPasses,
  samRho,
  validate,
} from "./samOracle";

/** Options of {@link fisherSamOracle}: SAM's (plain L2 ball replaced by the Fisher ellipsoid), and eta. */
export interface FisherSamOracleOptions extends Omit<SamOracleOptions, "adaptive" | "norm" | "normalized"> {
  /**
   * eta >= 0, the weight of the Fisher estimate in f = 1 + eta g^2; 0 is SAM. Default 1, the
   * default of a public PyTorch reimplementation (`FisherSAM(gamma=0.1, eta=1.0)`); no
   * authors' code is public and the paper's recommended value could not be read here
   * (docs/methods/fisher-sam.md). eta absorbs the scale of the estimate: g is the mean
   * mini-batch gradient, so g^2 is about 1/B of a per-example empirical Fisher where noise
   * dominates (batch size B).
   */
  readonly eta?: number;
}

/**
 * Fisher SAM (Kim, Li, Hu, Hospedales, ICML 2022): the rho-ball of SAM replaced by an
 * ellipsoid in the Fisher metric, max L(w + e) s.t. e^T F e <= rho^2, with F the diagonal
 * Fisher estimated from the batch gradient. With g = grad_S L(w) (the perturbed set S):
 *
 * ```
 * f = 1 + eta g^2                                   elementwise, F = diag(f)
 * e = rho (g / f) / (sqrt(sum_S g^2 / f) + epsilon) so that e^T F e = rho^2
 * the rule receives grad L(w + e)
 * ```
 * eta = 0 is SAM, bit for bit (f = 1 + 0 g^2 = 1 exactly, g / 1 = g, and the norm and the
 * scale are the same float32 operations). Coordinates with large gradients (large Fisher
 * information) are perturbed less than SAM perturbs them. In ASAM's operator form this is
 * e = rho T^2 g / ||T g|| with T = diag(1 / sqrt(f)). rho is the ellipsoid's radius (the
 * paper's gamma), in the Fisher metric: e^T F e = rho^2.
 *
 * Provenance (docs/methods/fisher-sam.md has the table): no authors' code is public. e is
 * the exact maximiser of the linearised loss g^T e over {e : e^T F e <= rho^2} (Cauchy-Schwarz
 * in the F inner product; tested: the ascent gains rho sqrt(g^T F^-1 g)); F = diag(1 + eta g^2)
 * from the batch gradient, the square root over the whole sum and epsilon outside it match a
 * public PyTorch reimplementation and this project's spec (specs/sam.md §3.3). Whether the
 * paper's f is the squared batch gradient or a per-example empirical Fisher, and its eta and
 * gamma, are not verified. With a perturbed subset S the sums run over S only.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, fisherSamOracle, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
 *   rule: sgd(),
 *   oracle: fisherSamOracle({ rho: 0.1, eta: 1 }),
 * });
 * ```
 */
export function fisherSamOracle(options: FisherSamOracleOptions): SamOracle {
  const eta = options?.eta ?? 1;
  if (!(typeof eta === "number" && Number.isFinite(eta) && eta >= 0)) {
    throw new SamConfigError(
      `Fisher-SAM eta is ${show(eta)}: it must be a finite number >= 0 (default 1; 0 is SAM).`,
    );
  }
  const o = validate(options);
  let diagnostics: SamDiagnostics | null = null;
  const ellipsoid: PerturbationOf = (S, grads, rho) => {
    const g = S.map((p, i) => grads[i] ?? tf.zerosLike(p.variable));
    const gOverF = g.map((gi) => tf.div(gi, tf.add(1, tf.mul(eta, tf.square(gi))))); // F^-1 g
    const q = tf.sqrt(dotAll(g, gOverF)); // sqrt(g^T F^-1 g)
    const scale = tf.where(tf.greater(q, 0), tf.div(rho, tf.add(q, o.epsilon)), tf.zerosLike(q));
    return gOverF.map((v) => tf.mul(scale, v));
  };
  return {
    kind: "fishersam",
    lossEvaluations: 2,
    get diagnostics() {
      return diagnostics;
    },
    init: (params: ParamSet, groups: readonly ParamGroup[]) => bindSam(o, params, groups),
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      const out = samPasses(o, request, bound, samRho(o, request.ctx.step), false, ellipsoid);
      diagnostics = out.diagnostics ?? null;
      if (out.plain) return { loss: out.loss, grads: clip(out.grads, o.clipGradNorm) };
      return {
        loss: out.loss,
        grads: clip(out.grads, o.clipGradNorm),
        extras: { perturbedLoss: out.perturbedLoss! },
      };
    },
    getConfig: () => ({ ...samConfig("fishersam", options), eta }),
  };
}

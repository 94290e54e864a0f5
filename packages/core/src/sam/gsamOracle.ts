import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import type { GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import type { ParamGroup } from "../params/groupParams";
import type { ParamSet } from "../params/param";
import { dotAll } from "./samAlgebra";
import {
  bindSam,
  clip,
  type SamDiagnostics,
  type SamOracle,
  type SamOracleOptions,
  samConfig,
  samPasses,
  samRho,
  validate,
} from "./samOracle";

/** Options of {@link gsamOracle}: SAM's, and alpha. */
export interface GsamOracleOptions extends SamOracleOptions {
  /** alpha >= 0, the weight of the component of g orthogonal to g_p. alpha = 0 is SAM. Paper: 0.01 to 0.3. */
  readonly alpha: number;
}

/**
 * GSAM, the surrogate gap guided SAM (Zhuang et al., ICLR 2022). With g = grad L(w) (every
 * active parameter), e SAM's perturbation of the perturbed set S, g_p = grad L(w + e):
 *
 * ```
 * u      = g_p / (||g_p|| + 1e-12)          unit direction of the perturbed gradient
 * g_perp = g - <g, u> u                     the part of g orthogonal to g_p
 * g_GSAM = g_p - alpha * g_perp             what the base rule receives
 * ```
 * Inner products and norms run over every active parameter (also outside S, as the
 * reference does). Descending on -g_perp lowers the surrogate gap L(w + e) - L(w) without
 * changing the perturbed loss to first order. alpha = 0 is SAM. The paper's rho_t (rho
 * following the learning-rate schedule) is a rho schedule.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, gsamOracle, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.1, momentum: 0.9 },
 *   rule: sgd(),
 *   oracle: gsamOracle({ rho: 0.05, alpha: 0.3 }),
 * });
 * ```
 */
export function gsamOracle(options: GsamOracleOptions): SamOracle {
  const alpha = options?.alpha;
  if (!(typeof alpha === "number" && Number.isFinite(alpha) && alpha >= 0)) {
    throw new SamConfigError(
      `GSAM alpha is ${alpha}: it must be a finite number >= 0 (the paper uses 0.01 to 0.3; 0 is SAM).`,
    );
  }
  const o = validate(options);
  let diagnostics: SamDiagnostics | null = null;
  return {
    kind: "gsam",
    lossEvaluations: 2,
    get diagnostics() {
      return diagnostics;
    },
    init: (params: ParamSet, groups: readonly ParamGroup[]) => bindSam(o, params, groups),
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      const out = samPasses(o, request, bound, samRho(o, request.ctx.step), true);
      diagnostics = out.diagnostics ?? null;
      if (out.plain) return { loss: out.loss, grads: clip(out.grads, o.clipGradNorm) };
      const gp = out.grads;
      const g = out.first!;
      // u = s g_p with s = 1 / (||g_p|| + 1e-12), so <g, u> u = (<g, g_p> s^2) g_p
      const s = tf.div(1, tf.add(tf.sqrt(dotAll(gp, gp)), 1e-12));
      const along = tf.mul(dotAll(g, gp), tf.square(s));
      const grads = gp.map((p, i) => {
        const gi = g[i];
        if (!p || !gi || alpha === 0) return p;
        const perp = tf.sub(gi, tf.mul(along, p));
        return tf.sub(p, tf.mul(alpha, perp));
      });
      return {
        loss: out.loss,
        grads: clip(grads, o.clipGradNorm),
        extras: { perturbedLoss: out.perturbedLoss! },
      };
    },
    getConfig: () => samConfig("gsam", options),
  };
}

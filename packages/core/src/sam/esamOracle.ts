import * as tf from "@tensorflow/tfjs-core";
import { disposeKeptDuring } from "../internal/disposeKeptDuring";
import { SamConfigError, show } from "../internal/errors";
import type { GradientOracle, GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import { differentiate } from "../oracles/plainGradient";
import type { ParamGroup } from "../params/groupParams";
import type { Param, ParamSet } from "../params/param";
import type { Selector } from "../params/selectors";
import { withPerturbation } from "../params/withPerturbation";
import { createRng } from "../random/createRng";
import type { HyperValue } from "../rules/schedule";
import { isPerSampleLoss } from "./perSampleLoss";
import { perturbation } from "./perturbation";
import { bindSam, type SamState, samConfig, samRho, validate } from "./samOracle";
import { withSplitConvolutionGradients } from "./splitConvolutionGradients";

/** One step's keep mask of one perturbed tensor: 0 or 1 for the whole tensor, or one 0/1 per element. */
export type EsamMask = number | readonly number[];

/** Options of {@link esamOracle}. */
export interface EsamOracleOptions {
  /** rho, SAM's radius (a number, schedule or function of the step). The code's scripts: 0.05 to 0.2. */
  readonly rho: HyperValue;
  /** beta in (0, 1], the probability that a tensor (or element) of e is kept (SWP). Default 0.5 (the code's run.sh); 1 keeps all. */
  readonly beta?: number;
  /** gamma in (0, 1], the fraction of examples the second pass runs on (SDS). Default 0.5 (run.sh); 1 uses all. */
  readonly gamma?: number;
  /** The perturbed set S. Default every parameter; SAM-ON: `hasTag('norm')`. */
  readonly perturb?: Selector;
  /**
   * What one draw keeps or drops: `'tensor'` (default; what the code does: one draw per
   * parameter tensor, so a dropped tensor costs no first-pass gradient) or `'element'` (one
   * draw per element, as the paper's text reads; no saving in tfjs).
   */
  readonly drop?: "tensor" | "element";
  /**
   * Injected keep masks in place of the random draws: `masks[step][i]` for the i-th tensor of
   * the perturbed set S (parameter order), 0/1 for the whole tensor or one 0/1 per element.
   * Every step the optimizer takes must have its entry.
   */
  readonly masks?: readonly (readonly EsamMask[])[];
  /** epsilon in rho / (||m g|| + epsilon). Default 1e-12 (SAM's here; the code uses 1e-7). */
  readonly epsilon?: number;
}

/** The stream of `ctx.seedFor` that ESAM's keep draws use (separate from any rule's noise). */
const ESAM_STREAM = 0xe5a;

/**
 * ESAM, efficient SAM (Du et al., ICLR 2022), as dydjw9/Efficient_SAM implements it. With
 * S the perturbed set, m a 0/1 keep mask over S (each tensor kept with probability beta),
 * g = grad_{S, kept} L(w) and l_i(w) the loss of example i of the batch of n:
 *
 * ```
 * pass 1:  L(w) = mean_i l_i(w),  g = grad of L over the kept tensors only (SWP's saving)
 *          e = (rho / beta) * m g / (||m g|| + epsilon)                 (0 on dropped tensors)
 * select:  s_i = l_i(w + e) - l_i(w)  (one forward at w + e);  B' = the k = max(1, floor(gamma n))
 *          examples of largest s_i                                      (SDS; all when gamma = 1)
 * pass 2:  g_ESAM = grad of mean_{i in B'} l_i(w + e), every active parameter
 * return   L(w), g_ESAM                                                 (the rule then updates w)
 * ```
 * beta = gamma = 1 is SAM, bit for bit. Data selection needs per-example losses: give the
 * step a {@link perSampleLoss}; with gamma < 1 and an ordinary loss it stops with an error
 * (under `model.fit`, whose loss is one scalar, use gamma = 1). BatchNorm moving statistics
 * are updated by pass 1 only (the forward at w + e and pass 2 leave them as pass 1 did).
 *
 * @remarks The draws come from the optimizer's seed (`ctx.seedFor`), so a run is repeatable
 * and a resumed run draws what the uninterrupted one would have; `masks` replaces them.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { GroupedOptimizer, collectParams, esamOracle, perSampleLoss, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 },
 *   rule: sgd(),
 *   oracle: esamOracle({ rho: 0.05, beta: 0.5, gamma: 0.5 }),
 * });
 * optimizer.minimize(
 *   perSampleLoss([xs, ys], (x, y) =>
 *     tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor, undefined, undefined, tf.Reduction.NONE) as tf.Tensor1D,
 *   ),
 * );
 * ```
 */
export function esamOracle(options: EsamOracleOptions): GradientOracle {
  const beta = options?.beta ?? 0.5;
  const gamma = options?.gamma ?? 0.5;
  const drop = options?.drop ?? "tensor";
  if (!(typeof beta === "number" && beta > 0 && beta <= 1)) {
    throw new SamConfigError(
      `ESAM beta is ${show(beta)}: it must be in (0, 1], the probability of keeping a tensor of e (code: 0.5; 1 is SAM).`,
    );
  }
  if (!(typeof gamma === "number" && gamma > 0 && gamma <= 1)) {
    throw new SamConfigError(
      `ESAM gamma is ${show(gamma)}: it must be in (0, 1], the fraction of examples in the second pass (code: 0.5; 1 is SAM).`,
    );
  }
  if (drop !== "tensor" && drop !== "element") {
    throw new SamConfigError(`ESAM drop is ${show(drop)}: use 'tensor' (the code) or 'element'.`);
  }
  const o = validate({
    rho: options.rho,
    ...(options.perturb ? { perturb: options.perturb } : {}),
    ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
  });
  const masks = options.masks;

  /** Each tensor of S: 1 kept, 0 dropped, or an element mask. */
  const keepMasks = (
    S: readonly Param[],
    perturbed: readonly Param[],
    ctx: GradientRequest["ctx"],
  ): (1 | 0 | tf.Tensor)[] => {
    const { step } = ctx;
    if (masks) {
      const row = masks[step];
      if (!row || row.length !== perturbed.length) {
        throw new SamConfigError(
          `ESAM masks[${step}] ${row ? `has ${row.length} entries` : "is missing"}: give one mask per tensor of the perturbed set (${perturbed.length}: ${perturbed.map((p) => p.path).join(", ")}) for every step taken.`,
        );
      }
      return S.map((p) => {
        const m = row[perturbed.indexOf(p)]!;
        if (typeof m === "number") {
          if (m !== 0 && m !== 1) {
            throw new SamConfigError(
              `ESAM masks[${step}] for ${show(p.path)} is ${m}: a tensor mask is 0 or 1.`,
            );
          }
          return m;
        }
        if (m.length !== p.variable.size || m.some((v) => v !== 0 && v !== 1)) {
          throw new SamConfigError(
            `ESAM masks[${step}] for ${show(p.path)} must be ${p.variable.size} values of 0 or 1 (shape [${p.variable.shape.join(", ")}]), or one 0/1 for the whole tensor.`,
          );
        }
        return tf.tensor(m as number[], p.variable.shape, "float32");
      });
    }
    if (beta === 1) return S.map(() => 1);
    return S.map((p) => {
      const seed = ctx.seedFor(p.index, ESAM_STREAM);
      if (drop === "tensor") return createRng(seed).uniform() < beta ? 1 : 0;
      return tf.cast(tf.less(tf.randomUniform(p.variable.shape, 0, 1, "float32", seed), beta), "float32");
    });
  };

  return {
    kind: "esam",
    lossEvaluations: gamma < 1 ? 3 : 2, // with selection: pass 1, the forward at w + e, pass 2
    init: (params: ParamSet, groups: readonly ParamGroup[]) => bindSam(o, params, groups),
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      const { perturbed, layersOutside, weights, state } = bound as SamState;
      const { step } = request.ctx;
      const rho = samRho(o, step);
      const activeSet = new Set(request.active.map((p) => p.index));
      const S = perturbed.filter((p) => activeSet.has(p.index));
      const activeVars = request.active.map((p) => p.variable);
      if (rho === 0 || S.length === 0) return differentiate(request.lossFn, activeVars);
      const selecting = gamma < 1;
      const lossFn = request.lossFn;
      if (selecting && !isPerSampleLoss(lossFn)) {
        throw new SamConfigError(
          `ESAM gamma is ${gamma}: its data selection needs one loss per example. Pass perSampleLoss([x, y], lossesOf) to minimize, or use gamma: 1 (as under model.fit, whose loss is one scalar).`,
        );
      }
      const keep = keepMasks(S, perturbed, request.ctx);
      const kept = S.filter((_, i) => keep[i] !== 0);
      // pass 1: L(w) (and each l_i(w) when selecting), gradients of the kept tensors only
      let before: tf.Tensor1D | null = null;
      const first = () => {
        if (!selecting || !isPerSampleLoss(lossFn)) return lossFn();
        const l = lossFn.losses();
        before = tf.keep(l); // survives variableGrads' tidy; disposed below
        return tf.mean(l) as tf.Scalar;
      };
      try {
        const pass1 = withSplitConvolutionGradients(layersOutside(kept), () =>
          differentiate(
            first,
            kept.map((p) => p.variable),
          ),
        );
        const keptMasks = keep.filter((m) => m !== 0);
        const deltaOf = new Map<number, tf.Tensor>();
        if (kept.length > 0) {
          // e in a tidy (only e survives), then g is freed: pass 2 holds w0 and nothing else extra
          const deltas = tf.tidy(
            () =>
              perturbation(
                kept.map((p, i) => {
                  const g = pass1.grads[i] ?? null;
                  const m = keptMasks[i]!;
                  return {
                    weight: p.variable,
                    grad: g && m !== 1 ? tf.mul(m as tf.Tensor, g) : g,
                    adaptive: false,
                  };
                }),
                {
                  rho: beta === 1 ? rho : rho / beta,
                  norm: 2,
                  normalized: true,
                  adaptive: null,
                  epsilon: o.epsilon,
                },
              ).deltas,
          );
          for (const g of pass1.grads) g?.dispose();
          kept.forEach((p, i) => deltaOf.set(p.index, deltas[i]!));
        }
        const fullDeltas = perturbed.map((p) => deltaOf.get(p.index) ?? null);
        const hasState = state.params.length > 0;
        if (hasState) state.save();
        let pass2: GradientResult;
        try {
          pass2 = withPerturbation(
            weights,
            fullDeltas,
            () =>
              disposeKeptDuring(() => {
                if (!selecting || !isPerSampleLoss(lossFn)) return differentiate(lossFn, activeVars);
                // s_i = l_i(w + e) - l_i(w); the second pass on the k examples of largest s_i
                const k = Math.max(1, Math.floor(gamma * lossFn.n));
                const sharpness = tf.sub(lossFn.losses(), before!);
                if (hasState) state.restore(); // the forward at w + e leaves the statistics as pass 1 did
                const { indices } = tf.topk(sharpness, k);
                return differentiate(
                  () => tf.mean(lossFn.losses(indices as tf.Tensor1D)) as tf.Scalar,
                  activeVars,
                );
              }),
            { consume: true },
          );
        } finally {
          if (hasState) state.restore();
        }
        return { loss: pass1.loss, grads: pass2.grads, extras: { perturbedLoss: pass2.loss } };
      } finally {
        if (before) (before as tf.Tensor).dispose();
      }
    },
    getConfig: () => ({ ...samConfig("esam", options as never), beta, gamma, drop }),
  };
}

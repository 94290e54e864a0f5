import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError, show } from "../internal/errors";
import type { GradientOracle, GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import { differentiate } from "../oracles/plainGradient";
import type { ParamGroup } from "../params/groupParams";
import type { ParamSet } from "../params/param";
import type { Selector } from "../params/selectors";
import { withPerturbation } from "../params/withPerturbation";
import type { HyperValue } from "../rules/schedule";
import { dotAll } from "./samAlgebra";
import { bindSam, type SamState, samConfig, samRho, validate, withL2 } from "./samOracle";

/** Options of {@link momentumSamOracle}. */
export interface MomentumSamOracleOptions {
  /** rho, the length of the step against the momentum (a number, schedule or function of the step). Paper: 0.3 to 3 for SGD. */
  readonly rho: HyperValue;
  /** The perturbed set S. Default every parameter; SAM-ON: `hasTag('norm')`. */
  readonly perturb?: Selector;
  /**
   * The base rule's slot read as v (slot names end with `.<buffer>`): `'momentum'` (default,
   * `sgd`'s buffer) or `'m'` (Adam's first moment).
   */
  readonly buffer?: string;
  /** epsilon in rho / (||v|| + epsilon). Default 1e-12. */
  readonly epsilon?: number;
  /** JAX-style weight decay c/2 * sum ||w||^2 added to the loss. Default 0. */
  readonly l2InLoss?: number;
}

/**
 * Momentum-SAM (Becker et al., TMLR 2024): one gradient per step, taken at a point shifted
 * against the base rule's momentum. With v the base rule's momentum buffer before this step
 * (restricted to the perturbed set S), w the weights:
 *
 * ```
 * e    = -rho * v / (||v|| + epsilon)   on S (0 elsewhere, and 0 while v = 0)
 * g    = grad L(w + e)                  every active parameter; one pass
 * the base rule receives g and updates w (weight decay acts on w, not w + e)
 * ```
 * The loss reported is L(w + e). BatchNorm moving statistics are updated by that one pass.
 * It needs a rule with a momentum buffer (`sgd({ momentum: 0.9 })`, or `adam` with
 * `buffer: 'm'`); without one it stops with an error.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, momentumSamOracle, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.1, momentum: 0.9 },
 *   rule: sgd(),
 *   oracle: momentumSamOracle({ rho: 0.3 }),
 * });
 * ```
 */
export function momentumSamOracle(options: MomentumSamOracleOptions): GradientOracle {
  const o = validate({
    rho: options?.rho,
    ...(options?.perturb ? { perturb: options.perturb } : {}),
    ...(options?.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
    ...(options?.l2InLoss !== undefined ? { l2InLoss: options.l2InLoss } : {}),
  } as never);
  const buffer = options.buffer ?? "momentum";
  return {
    kind: "msam",
    lossEvaluations: 1,
    init: (params: ParamSet, groups: readonly ParamGroup[]) => bindSam(o, params, groups),
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      const { perturbed, weights } = bound as SamState;
      const rho = samRho(o, request.ctx.step);
      const lossFn = o.l2InLoss > 0 ? withL2(request.lossFn, request.params, o.l2InLoss) : request.lossFn;
      const active = new Set(request.active.map((p) => p.index));
      const slots = request.slots ?? [];
      const v = perturbed.map((p) => {
        if (!active.has(p.index)) return null;
        const slot = slots.find((s) => s.name.startsWith(`${p.path}/`) && s.name.endsWith(`.${buffer}`));
        if (!slot) {
          throw new SamConfigError(
            `Momentum-SAM found no ${show(buffer)} buffer of parameter ${show(p.path)} in the rule's state (slots: ${
              slots
                .map((s) => s.name)
                .slice(0, 6)
                .join(", ") || "none"
            }). ` +
              "Give the base rule momentum (sgd({ momentum: 0.9 })), or name the buffer (buffer: 'm' for adam).",
          );
        }
        return slot.variable as tf.Tensor;
      });
      // e in a tidy (the norm's v*v freed), added into w and freed: the pass holds w0 only
      // 0 * scale = 0 while v = 0
      const scale = tf.tidy(() => tf.div(-rho, tf.add(tf.sqrt(dotAll(v, v)), o.epsilon)));
      const deltas = v.map((vi) => (vi ? tf.mul(scale, vi) : null));
      const { loss, grads } = withPerturbation(
        weights,
        deltas,
        () =>
          // the one pass: what model.fit keeps from it (metrics) must survive, unlike SAM's pass 2
          differentiate(
            lossFn,
            request.active.map((p) => p.variable),
          ),
        { consume: true },
      );
      return { loss, grads };
    },
    getConfig: () => ({ ...samConfig("msam", options as never), buffer }),
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import type { GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import { differentiate } from "../oracles/plainGradient";
import type { ParamGroup } from "../params/groupParams";
import type { ParamSet } from "../params/param";
import { dotAll } from "./samAlgebra";
import {
  bindSam,
  clip,
  type SamDiagnostics,
  type SamOracle,
  type SamOracleOptions,
  type SamState,
  samConfig,
  samPasses,
  samRho,
  validate,
  withL2,
} from "./samOracle";

/** Options of {@link lookSamOracle}: SAM's, k and alpha. */
export interface LookSamOracleOptions extends SamOracleOptions {
  /** A full SAM step every k optimizer steps (steps 0, k, 2k, ...). Integer >= 1; 1 is SAM. Paper: 5. */
  readonly k: number;
  /** alpha >= 0, the weight of the reused direction on the other steps. Paper: 0.7. */
  readonly alpha: number;
}

interface LookSamState extends SamState {
  /** unit(g_v) by parameter index, from the last full SAM step (zero before the first). */
  readonly uv: ReadonlyMap<number, { name: string; variable: tf.Variable }>;
}

/**
 * LookSAM (Liu et al., CVPR 2022), as the MSAM repository implements it. With g = grad L(w)
 * (every active parameter), e SAM's perturbation, g_p = grad L(w + e), t the optimizer's step:
 *
 * ```
 * t % k == 0:  two passes; g_v = g_p - (<g_p, g> / (||g||^2 + 1e-12)) g    (g_p's part orthogonal to g)
 *              u_v = g_v / ||g_v||   kept;   the base rule receives g_p
 * otherwise:   one pass;  the base rule receives g + alpha * ||g|| * u_v
 * ```
 * k = 1 is SAM. Inner products and norms run over every active parameter. On a one-pass
 * step the loss is L(w) and there is no perturbed loss. Cost: (k + 1) / k gradients a step.
 *
 * @remarks u_v is a slot of the oracle (`<param path>/looksam.uv`): saved in checkpoints,
 * so a resumed run goes on bit for bit, and restored with a step rejected as non-finite.
 * It is zero before the first SAM step, so a run that starts at a step that is not a
 * multiple of k takes plain steps until one.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, lookSamOracle, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.1, momentum: 0.9 },
 *   rule: sgd(),
 *   oracle: lookSamOracle({ rho: 0.05, k: 5, alpha: 0.7 }),
 * });
 * ```
 */
export function lookSamOracle(options: LookSamOracleOptions): SamOracle {
  const { k, alpha } = options ?? ({} as LookSamOracleOptions);
  if (!(Number.isInteger(k) && k >= 1)) {
    throw new SamConfigError(
      `LookSAM k is ${k}: it must be an integer >= 1 (a SAM step every k steps; paper 5, 1 is SAM).`,
    );
  }
  if (!(typeof alpha === "number" && Number.isFinite(alpha) && alpha >= 0)) {
    throw new SamConfigError(`LookSAM alpha is ${alpha}: it must be a finite number >= 0 (paper 0.7).`);
  }
  const o = validate(options);
  let diagnostics: SamDiagnostics | null = null;
  return {
    kind: "looksam",
    lossEvaluations: 2,
    get diagnostics() {
      return diagnostics;
    },
    init(params: ParamSet, groups: readonly ParamGroup[]): LookSamState {
      const bound = bindSam(o, params, groups);
      const uv = new Map(
        groups
          .flatMap((g) => g.params)
          .map((p) => [
            p.index,
            { name: `${p.path}/looksam.uv`, variable: tf.variable(tf.zerosLike(p.variable), false) },
          ]),
      );
      return {
        ...bound,
        uv,
        slots: () => [...uv.values()],
        dispose() {
          bound.dispose();
          tf.dispose([...uv.values()].map((s) => s.variable));
        },
      };
    },
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      const { step } = request.ctx;
      const { uv } = bound as LookSamState;
      if (step % k !== 0) {
        diagnostics = null;
        const lossFn = o.l2InLoss > 0 ? withL2(request.lossFn, request.params, o.l2InLoss) : request.lossFn;
        const { loss, grads: g } = differentiate(
          lossFn,
          request.active.map((p) => p.variable),
        );
        const scale = tf.mul(alpha, tf.sqrt(dotAll(g, g))); // alpha * ||g||
        const grads = g.map((gi, i) =>
          gi ? tf.add(gi, tf.mul(scale, uv.get(request.active[i]!.index)!.variable)) : gi,
        );
        return { loss, grads: clip(grads, o.clipGradNorm) };
      }
      const out = samPasses(o, request, bound, samRho(o, step), true);
      diagnostics = out.diagnostics ?? null;
      if (out.plain) return { loss: out.loss, grads: clip(out.grads, o.clipGradNorm) };
      const gp = out.grads;
      const g = out.first!;
      const c = tf.div(dotAll(gp, g), tf.add(dotAll(g, g), 1e-12));
      const gv = gp.map((p, i) => (p && g[i] ? tf.sub(p, tf.mul(c, g[i]!)) : p));
      const inv = tf.div(1, tf.sqrt(dotAll(gv, gv)));
      gv.forEach((v, i) => {
        if (v) uv.get(request.active[i]!.index)!.variable.assign(tf.mul(v, inv));
      });
      return {
        loss: out.loss,
        grads: clip(gp, o.clipGradNorm),
        extras: { perturbedLoss: out.perturbedLoss! },
      };
    },
    getConfig: () => samConfig("looksam", options),
  };
}

import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError, show } from "../internal/errors";
import type { GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import type { ParamGroup } from "../params/groupParams";
import type { ParamSet } from "../params/param";
import { isChunkedLoss } from "./chunkedLoss";
import { perturbation } from "./perturbation";
import {
  bindSam,
  clip,
  type PerturbationOf,
  type SamDiagnostics,
  type SamOracle,
  type SamOracleOptions,
  type SamState,
  samConfig,
  samPasses,
  samRho,
  validate,
} from "./samOracle";

/** Options of {@link friendlySamOracle}: SAM's (plain L2 ball), sigma and lambda. */
export interface FriendlySamOracleOptions extends Omit<SamOracleOptions, "adaptive" | "norm" | "normalized"> {
  /** sigma >= 0, how much of the moving average m is taken out of g. Default 1 (the code); 0 is SAM. */
  readonly sigma?: number;
  /** lambda in [0, 1), the decay of m. Default 0.6 (the code's run.sh for CIFAR; train.py's default 0.95, the class's 0.9). */
  readonly lambda?: number;
}

interface FriendlySamState extends SamState {
  /** m, the moving average of past first-pass gradients, and whether it holds one yet, by parameter index. */
  readonly m: ReadonlyMap<number, { readonly m: tf.Variable; readonly started: tf.Variable }>;
}

/**
 * Friendly-SAM, F-SAM (Li, Zhou, He, Cheng, Huang, CVPR 2024), as nblt/F-SAM implements it.
 * SAM's ascent direction g contains the full-gradient component, which the paper finds
 * does not help generalization; F-SAM removes an estimate of it, m, the moving average of
 * past batch gradients. With g = grad_S L(w) (the perturbed set S), per tensor:
 *
 * ```
 * first step:   d = g;               m = g
 * later steps:  d = g - sigma m;     m = lambda m + (1 - lambda) g     (d uses m before the update)
 * e = rho d / (||d|| + epsilon)      ||d|| over S;  the rule receives grad L(w + e)
 * ```
 * sigma = 0 is SAM, bit for bit (lambda then only feeds m, which nothing reads). m is an
 * oracle slot (`<param path>/fsam.m`, with `fsam.started`): saved in checkpoints and
 * restored with a rejected step. With a `chunkedLoss`, only `accumulation: 'global'` is
 * allowed (one m update per step).
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, friendlySamOracle, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 },
 *   rule: sgd(),
 *   oracle: friendlySamOracle({ rho: 0.2, sigma: 1, lambda: 0.6 }),
 * });
 * ```
 */
export function friendlySamOracle(options: FriendlySamOracleOptions): SamOracle {
  const sigma = options?.sigma ?? 1;
  const lambda = options?.lambda ?? 0.6;
  if (!(typeof sigma === "number" && Number.isFinite(sigma) && sigma >= 0)) {
    throw new SamConfigError(
      `Friendly-SAM sigma is ${show(sigma)}: it must be a finite number >= 0 (the code: 1; 0 is SAM).`,
    );
  }
  if (!(typeof lambda === "number" && lambda >= 0 && lambda < 1)) {
    throw new SamConfigError(
      `Friendly-SAM lambda is ${show(lambda)}: it must be in [0, 1) (the code's run.sh: 0.6; train.py: 0.95).`,
    );
  }
  const o = validate(options);
  let diagnostics: SamDiagnostics | null = null;
  const direction =
    (state: FriendlySamState): PerturbationOf =>
    (S, grads, rho) => {
      const d = S.map((p, i) => {
        const g = grads[i];
        if (!g) return null;
        const { m, started } = state.m.get(p.index)!;
        const out = sigma === 0 ? g : tf.sub(g, tf.mul(tf.mul(sigma, started), m));
        // started = 0: m = g; started = 1: m = lambda m + (1 - lambda) g
        const next = tf.add(tf.mul(lambda, m), tf.mul(1 - lambda, g));
        m.assign(tf.add(tf.mul(started, next), tf.mul(tf.sub(1, started), g)));
        started.assign(tf.onesLike(started));
        return out;
      });
      return perturbation(
        S.map((p, i) => ({ weight: p.variable, grad: d[i] ?? null, adaptive: false })),
        { rho, norm: 2, normalized: true, adaptive: null, epsilon: o.epsilon },
      ).deltas;
    };
  return {
    kind: "fsam",
    lossEvaluations: 2,
    get diagnostics() {
      return diagnostics;
    },
    init(params: ParamSet, groups: readonly ParamGroup[]): FriendlySamState {
      const bound = bindSam(o, params, groups);
      const m = new Map(
        bound.perturbed.map((p) => [
          p.index,
          {
            m: tf.variable(tf.zerosLike(p.variable), false),
            started: tf.variable(tf.scalar(0), false),
          },
        ]),
      );
      const byPath = bound.perturbed.map((p) => [p.path, m.get(p.index)!] as const);
      return {
        ...bound,
        m,
        slots: () =>
          byPath.flatMap(([path, s]) => [
            { name: `${path}/fsam.m`, variable: s.m },
            { name: `${path}/fsam.started`, variable: s.started },
          ]),
        dispose() {
          bound.dispose();
          tf.dispose([...m.values()].flatMap((s) => [s.m, s.started]));
        },
      };
    },
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      if (isChunkedLoss(request.lossFn) && request.lossFn.chunks.length > 1 && o.accumulation !== "global") {
        throw new SamConfigError(
          "Friendly-SAM with micro-batches (a chunkedLoss) needs accumulation: 'global' (one moving-average update per step); per-micro perturbations would update m once per micro-batch.",
        );
      }
      const out = samPasses(
        o,
        request,
        bound,
        samRho(o, request.ctx.step),
        false,
        direction(bound as FriendlySamState),
      );
      diagnostics = out.diagnostics ?? null;
      if (out.plain) return { loss: out.loss, grads: clip(out.grads, o.clipGradNorm) };
      return {
        loss: out.loss,
        grads: clip(out.grads, o.clipGradNorm),
        extras: { perturbedLoss: out.perturbedLoss! },
      };
    },
    getConfig: () => ({ ...samConfig("fsam", options), sigma, lambda }),
  };
}

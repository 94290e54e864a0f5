import * as tf from "@tensorflow/tfjs-core";
import { disposeKeptDuring } from "../internal/disposeKeptDuring";
import { SamConfigError, show } from "../internal/errors";
import type { GradientOracle, GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import { differentiate } from "../oracles/plainGradient";
import type { ParamGroup } from "../params/groupParams";
import type { ParamSet } from "../params/param";
import type { Selector } from "../params/selectors";
import { withPerturbation } from "../params/withPerturbation";
import { type HyperValue, resolveHyperValue } from "../rules/schedule";
import { perturbation } from "./perturbation";
import { dotAll } from "./samAlgebra";
import { bindSam, type SamState, samConfig, samRho, validate } from "./samOracle";

/** Options of {@link aeSamOracle}. */
export interface AeSamOracleOptions {
  /** rho, SAM's radius on the SAM steps (a number, schedule or function of the step). */
  readonly rho: HyperValue;
  /**
   * c_t, the threshold in standard deviations: a SAM step when ||g||^2 >= mu_t + c_t sigma_t
   * (read at step t, the optimizer's 0-based iteration count). A number, a schedule or a
   * function of the step. AE-SAM's schedule is linear over the T training steps,
   * c_t = lambda_1 t / T + lambda_2 (1 - t / T) (lambda_2 at t = 0, lambda_1 at t = T), as
   * the transcription in junaidaliop/zij `docs/math/aesam.md` (commit 96144ac8, line 11)
   * writes it: `linear(lambda2, lambda1, T)`, i.e.
   * `{ schedule: 'linear', from: lambda2, to: lambda1, steps: T }` (tested). No default: the
   * paper's lambda_1 and lambda_2 could not be read here and no authors' code exists
   * (docs/methods/ae-sam.md). -Infinity is SAM, +Infinity the base optimizer.
   */
  readonly c: HyperValue;
  /**
   * delta in [0, 1), the forgetting rate of the moving averages mu and sigma^2. Default 0.9:
   * this project's choice, not the paper's (its value could not be read here; a public
   * reimplementation tuned 0.3 for its own task). With mu and sigma^2 starting at 0 the
   * first step is a SAM step iff c_0 <= 1 / sqrt(1 - delta) (3.16 at 0.9).
   */
  readonly delta?: number;
  /** The perturbed set S. Default every parameter; SAM-ON: `hasTag('norm')`. */
  readonly perturb?: Selector;
  /** epsilon in rho / (||g_S|| + epsilon). Default 1e-12. */
  readonly epsilon?: number;
}

interface AeSamState extends SamState {
  /** mu and sigma^2, the moving averages of ||g||^2 (zero before the first step). */
  readonly mu: tf.Variable;
  readonly variance: tf.Variable;
}

/**
 * AE-SAM, an adaptive policy to employ SAM (Jiang, Yang, Zhang, Kwok, ICLR 2023): a SAM step
 * only where the squared gradient norm is large against its recent history (a sharp region),
 * else the base step on the one gradient already taken. With g = grad L(w) over every active
 * parameter, delta the decay, mu_{-1} = sigma^2_{-1} = 0:
 *
 * ```
 * n_t        = ||g||^2
 * mu_t       = delta mu_{t-1} + (1 - delta) n_t              (updated before the test)
 * sigma^2_t  = delta sigma^2_{t-1} + (1 - delta) (n_t - mu_t)^2
 * n_t >= mu_t + c_t sigma_t:  SAM: e = rho g_S / (||g_S|| + epsilon), the rule receives grad L(w + e)
 * otherwise:                  the rule receives g                      (one pass)
 * ```
 * c = -Infinity is SAM (bit for bit), c = +Infinity the base optimizer. The test reads three
 * scalars each step (one device sync). mu and sigma^2 are oracle slots (`@oracle/aesam.mu`,
 * `@oracle/aesam.var`): saved in checkpoints, restored with a rejected step. BatchNorm moving
 * statistics are updated by the first pass only. n_t is the norm of the whole stochastic
 * gradient (every active parameter); with a perturbed subset S the ascent is normalised over
 * S only, as `samOracle` does (the paper perturbs everything, where both coincide).
 *
 * Provenance (docs/methods/ae-sam.md has the table): no authors' code is public; the order
 * (mu_t, then sigma^2_t with the new mu_t, then the test with >=), the SAM step
 * rho g / ||g|| and the linear c_t agree with the transcription of the paper's update in
 * junaidaliop/zij `docs/math/aesam.md` (commit 96144ac8, lines 9-16) and with a public
 * PyTorch reimplementation; the statistic (the squared norm of the mini-batch gradient,
 * modelled as normal, mean and variance by exponential moving averages) agrees with the
 * paper's abstract and introduction. delta's default and the paper's lambda_1, lambda_2 are
 * not verified.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, aeSamOracle, collectParams, linear, sgd } from "@sam/core";
 *
 * const T = 10_000; // training steps
 * // c_t = lambda1 t / T + lambda2 (1 - t / T): lambda2 at the start, lambda1 at the end
 * // (illustrative lambda2 = 1, lambda1 = -1; the paper's values are not verified here)
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.1, momentum: 0.9 },
 *   rule: sgd(),
 *   oracle: aeSamOracle({ rho: 0.05, c: linear(1, -1, T) }),
 * });
 * ```
 */
export function aeSamOracle(options: AeSamOracleOptions): GradientOracle & {
  /** Whether the last step was a SAM step (null before the first). */
  readonly lastSam: boolean | null;
} {
  const delta = options?.delta ?? 0.9;
  if (!(typeof delta === "number" && delta >= 0 && delta < 1)) {
    throw new SamConfigError(`AE-SAM delta is ${show(delta)}: it must be in [0, 1) (default 0.9).`);
  }
  if (options?.c === undefined) {
    throw new SamConfigError(
      "AE-SAM needs c, the threshold in standard deviations (the paper: linear in the step, see docs/methods/ae-sam.md); -Infinity is SAM, +Infinity the base optimizer.",
    );
  }
  // +-Infinity travels through a saved config as a string
  const cOption = typeof options.c === "string" ? Number(options.c) : options.c;
  const o = validate({
    rho: options.rho,
    ...(options.perturb ? { perturb: options.perturb } : {}),
    ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
  });
  let lastSam: boolean | null = null;
  return {
    kind: "aesam",
    lossEvaluations: 2,
    get lastSam() {
      return lastSam;
    },
    init(params: ParamSet, groups: readonly ParamGroup[]): AeSamState {
      const bound = bindSam(o, params, groups);
      const mu = tf.variable(tf.scalar(0), false);
      const variance = tf.variable(tf.scalar(0), false);
      return {
        ...bound,
        mu,
        variance,
        slots: () => [
          { name: "@oracle/aesam.mu", variable: mu },
          { name: "@oracle/aesam.var", variable: variance },
        ],
        dispose() {
          bound.dispose();
          tf.dispose([mu, variance]);
        },
      };
    },
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      const s = bound as AeSamState;
      const { step } = request.ctx;
      const c = resolveHyperValue(cOption, step) as number;
      if (typeof c !== "number" || Number.isNaN(c)) {
        throw new SamConfigError(
          `AE-SAM c is ${show(c)} at step ${step}: it must be a number (or +-Infinity).`,
        );
      }
      const activeVars = request.active.map((p) => p.variable);
      const first = differentiate(request.lossFn, activeVars);
      const n = tf.tidy(() => dotAll(first.grads, first.grads)); // ||g||^2 without keeping g*g
      const mu = tf.add(tf.mul(delta, s.mu), tf.mul(1 - delta, n));
      const variance = tf.add(tf.mul(delta, s.variance), tf.mul(1 - delta, tf.square(tf.sub(n, mu))));
      s.mu.assign(mu);
      s.variance.assign(variance);
      const rho = samRho(o, step);
      const activeSet = new Set(request.active.map((p) => p.index));
      const S = s.perturbed.filter((p) => activeSet.has(p.index));
      let sam = c === Number.NEGATIVE_INFINITY;
      if (!sam && c !== Number.POSITIVE_INFINITY) {
        const [nv, mv, vv] = tf.stack([n, mu, variance]).dataSync() as Float32Array;
        sam = nv! >= mv! + c * Math.sqrt(vv!);
      }
      lastSam = sam && rho > 0 && S.length > 0;
      if (!lastSam) return first;
      const gradOf = new Map(request.active.map((p, i) => [p.index, first.grads[i] ?? null]));
      // e in a tidy (only e survives), then g is freed: pass 2 holds w0 and nothing else extra
      const deltas = tf.tidy(
        () =>
          perturbation(
            S.map((p) => ({ weight: p.variable, grad: gradOf.get(p.index) ?? null, adaptive: false })),
            { rho, norm: 2, normalized: true, adaptive: null, epsilon: o.epsilon },
          ).deltas,
      );
      for (const g of first.grads) g?.dispose();
      const deltaOf = new Map(S.map((p, i) => [p.index, deltas[i]!]));
      const hasState = s.state.params.length > 0;
      if (hasState) s.state.save();
      try {
        const second = withPerturbation(
          s.weights,
          s.perturbed.map((p) => deltaOf.get(p.index) ?? null),
          () => disposeKeptDuring(() => differentiate(request.lossFn, activeVars)),
          { consume: true },
        );
        return { loss: first.loss, grads: second.grads, extras: { perturbedLoss: second.loss } };
      } finally {
        if (hasState) s.state.restore();
      }
    },
    getConfig: () => ({
      ...samConfig("aesam", options as never),
      delta,
      c: typeof cOption === "number" && !Number.isFinite(cOption) ? String(cOption) : cOption,
    }),
  };
}

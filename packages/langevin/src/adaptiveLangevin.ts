import { type ParamGroup, perGroup, resolveHyperValue, type RuleState, type UpdateRule } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type ConstraintSpec, tangentDimension } from "./constraint";
import { initConstrainedState, type OnInfeasible } from "./internal/constrainedState";
import { Rattle } from "./rattle";
import { checkDefaults, requireNonNegative, requirePositive } from "./internal/hyper";
import {
  type ConstrainedState,
  checkKnown,
  draw,
  firstHalfKick,
  type NoiseOption,
} from "./internal/ruleSupport";
import { defaultNoise } from "./noiseSource";
import { adaptiveLangevinUpdate } from "./updateKernels";

/** Hyperparameters of {@link adaptiveLangevin} (per group, schedulable). */
export type AdaptiveLangevinHyper = {
  /** Time step h. Default 0.25 (the authors' spiral setting). Must be > 0. */
  h?: number;
  /** Temperature tau in mean-loss units. Default 1e-4. */
  temperature?: number;
  /** Additive noise amplitude sigma_A (authors' `sigA`). Default 0.01. */
  sigmaA?: number;
  /** Thermostat coupling epsilon (authors' `eps`; multiplies the un-normalised `p^T p - N tau`). Default 0.05. */
  coupling?: number;
  /** Initial thermostat value xi_0, read when the optimizer is built. Default 0.1. */
  xi0?: number;
};

/** Options of {@link adaptiveLangevin}. */
export interface AdaptiveLangevinOptions extends NoiseOption {
  /** Constraints on tensors of the group (constrained Adaptive Langevin). Default none. */
  readonly constraints?: readonly ConstraintSpec[];
  /** When the weights violate a constraint at init: project them (default) or throw. */
  readonly onInfeasible?: OnInfeasible;
}

const DEFAULTS = { h: 0.25, temperature: 1e-4, sigmaA: 0.01, coupling: 0.05, xi0: 0.1 };

/**
 * Adaptive Langevin (Jones and Leimkuhler 2011; SGNHT, Ding et al. 2014) with one thermostat
 * variable xi per parameter tensor, integrated as the authors' "ACDEDCAB" splitting in the
 * B-first form:
 *
 * ```
 * dtheta = p dt,   dp = -grad L dt - xi p dt + sigma_A dW,   dxi = epsilon (p^T p - N tau) dt
 *
 * p     <- p - kappa_n g_n                 kappa_0 = h/2, then h (n: this rule's own steps)  (B)
 * theta <- theta + (h/2) p                                                  (A_{h/2})
 * p     <- exp(-(h/2) xi) p                                                 (C_{h/2})
 * p     <- p + sigma_A sqrt(h/2) R1                                         (D_{h/2})
 * xi    <- xi + h epsilon (p^T p - N tau)  N = numel of the tensor          (E_h)
 *                                          (n_T with constraints, below)
 * p     <- p + sigma_A sqrt(h/2) R2        a fresh draw                     (D_{h/2})
 * p     <- exp(-(h/2) xi) p                with the UPDATED xi              (C_{h/2})
 * theta <- theta + (h/2) p                                                  (A_{h/2})
 * ```
 * Symbols: h = `h`, tau = `temperature`, sigma_A = `sigmaA`, epsilon = `coupling`, p the
 * momentum (starts at 0), xi the thermostat (starts at `xi0`, never clamped: a negative xi
 * heats), R1, R2 ~ N(0, I). The friction is xi itself, epsilon only enters xi's equation and N
 * is the number of entries (spec 2.6 item 5: ports that use `exp(-t epsilon xi)` or
 * `N = shape[0]` change the method). At stationarity `xi* = (sigma_A^2 + h s^2) / (2 tau)` when
 * the gradient carries noise of variance s^2, and the kinetic temperature seen by E is tau
 * (slot `adla.kinetic`, read with `langevinDiagnostics`).
 *
 * With `constraints` (orthogonal, sphere, circle, ball) the sub-steps are those of
 * constrained Langevin (spec 2.5): the momentum is projected on the tangent space after B and
 * after each D (C only rescales a tangent vector), A is RATTLE (the exact rotation for
 * circles), the slack coordinates of circles and balls are thermostatted with their tensor
 * (their momenta count in `p^T p`, their noise has roles `Rs1`, `Rs2`), and N is the
 * tangent dimension n_T of the tensor (`tangentDimension`: `N - k(k+1)/2` orthogonal,
 * `N - units` sphere, N circle and ball). At equilibrium the momentum is Gaussian on the
 * tangent space with covariance `tau Pi`, so `<p^T p> = tau trace(Pi) = tau n_T`: with N in
 * the E-step the thermostat would heat the tensor to `tau N / n_T` instead.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams } from "@sam/core";
 * import { adaptiveLangevin, ball } from "@sam/langevin";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   rule: adaptiveLangevin({ h: 0.25, temperature: 1e-4, sigmaA: 0.01, coupling: 0.05 }),
 * });
 * // Thermostatted weights of norm <= 2 per unit:
 * const bounded = adaptiveLangevin({ sigmaA: 0.01 }, { constraints: [ball(2)] });
 * ```
 */
export function adaptiveLangevin(
  defaults: AdaptiveLangevinHyper = {},
  options: AdaptiveLangevinOptions = {},
): UpdateRule<Required<AdaptiveLangevinHyper>> {
  checkKnown("adla", defaults, DEFAULTS);
  const merged = { ...DEFAULTS, ...defaults };
  checkDefaults("adla", merged, ["h"], ["temperature", "sigmaA", "coupling", "xi0"]);
  const noise = options.noise ?? defaultNoise;
  const constraints = [...(options.constraints ?? [])];
  const onInfeasible = options.onInfeasible ?? "project";
  return perGroup<Required<AdaptiveLangevinHyper>>({
    kind: "adla",
    defaults: merged,
    init(group: ParamGroup): RuleState {
      const xi0 = Number(resolveHyperValue(group.hyper.xi0 ?? merged.xi0, 0));
      requireNonNegative("adla", group, "xi0", xi0);
      return initConstrainedState("adla", "adla", group, constraints, {
        momentum: true,
        clock: true,
        onInfeasible,
        extra: {
          xi: { init: () => tf.scalar(xi0) },
          kinetic: { init: () => tf.scalar(Number.NaN) },
        },
      });
    },
    apply(group, grads, rawState, hp, ctx) {
      const state = rawState as ConstrainedState;
      const h = hp.h!;
      requirePositive("adla", group, "h", h);
      requireNonNegative("adla", group, "temperature", hp.temperature!);
      const half = h / 2;
      const kick = firstHalfKick(state, h);
      const amp = hp.sigmaA! * Math.sqrt(half);
      group.params.forEach((param, i) => {
        const g = grads[i];
        if (!g) return;
        const w = param.variable;
        const pSlot = state.get("momentum", i);
        const xiSlot = state.get("xi", i);
        const con = state.constraints[i];
        const n = tangentDimension(param.size, con);
        const thermostat = (kinetic: tf.Tensor) =>
          tf.add(xiSlot, tf.mul(tf.sub(kinetic, n * hp.temperature!), h * hp.coupling!));
        if (!con) {
          // B C D | E | D C, both A halves in one update (one kernel call per half where the
          // backend registers them: updateKernels.ts)
          let kinetic: tf.Tensor | undefined;
          let xi: tf.Tensor | undefined;
          const r1 = amp > 0 ? draw(noise, group, i, "R1", amp, ctx) : null;
          const [wNext, pNext] = adaptiveLangevinUpdate(
            w,
            pSlot,
            g,
            kick,
            half,
            tf.exp(tf.mul(xiSlot, -half)),
            r1,
            (pm) => {
              kinetic = tf.sum(tf.square(pm));
              xi = thermostat(kinetic);
              const r2 = amp > 0 ? draw(noise, group, i, "R2", amp, ctx) : null;
              return { decay: tf.exp(tf.mul(xi, -half)), r: r2 };
            },
          );
          w.assign(wNext);
          pSlot.assign(pNext);
          xiSlot.assign(xi!);
          state.get("kinetic", i).assign(tf.div(kinetic!, n));
          return;
        }
        // Constrained: B A C D E D C A with projections (Rattle).
        const stored = {
          theta: w,
          p: pSlot,
          s: state.maybe("slack", i),
          ps: state.maybe("slackMomentum", i),
        };
        const motion = new Rattle(con, stored, (role, stddev, shape) =>
          draw(noise, group, i, role, stddev, ctx, shape),
        );
        motion.kick(g, kick);
        motion.drift(half);
        motion.scale(tf.exp(tf.mul(xiSlot, -half)));
        if (amp > 0) motion.refresh(1, amp, { main: "R1", slack: "Rs1" });
        const kinetic = motion.kineticEnergy();
        const xi = thermostat(kinetic);
        if (amp > 0) motion.refresh(1, amp, { main: "R2", slack: "Rs2" });
        motion.scale(tf.exp(tf.mul(xi, -half)));
        motion.drift(half);
        motion.store(stored);
        xiSlot.assign(xi);
        state.get("kinetic", i).assign(tf.div(kinetic, n));
      });
      return undefined;
    },
    getConfig: () => ({
      kind: "adla",
      ...defaults,
      constraints: constraints.map((c) => ({ ...c })),
      noise: noise.kind,
      onInfeasible,
    }),
  });
}

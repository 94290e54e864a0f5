import { type ParamGroup, perGroup, type RuleState, type UpdateRule } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import type { ConstraintSpec } from "./constraint";
import { initConstrainedState, type OnInfeasible } from "./internal/constrainedState";
import { ballAugmented, circleSolve, solve, stackSlack, unstackSlack } from "./internal/geometry";
import { checkDefaults, requirePositive } from "./internal/hyper";
import { type ConstrainedState, checkKnown, draw, type NoiseOption } from "./internal/ruleSupport";
import { defaultNoise } from "./noiseSource";

/** Hyperparameters of {@link sgld} (per group, schedulable). */
export type SgldHyper = {
  /** Step size delta (the parameter moves by `-delta grad L`). Default 0.01. Must be > 0. */
  lr?: number;
  /** Temperature tau in mean-loss units (target `exp(-L/tau)`). Default 1e-4. 0 gives plain SGD. */
  temperature?: number;
};

/** Options of {@link sgld}. */
export interface SgldOptions extends NoiseOption {
  /** Constraints on tensors of the group (constrained overdamped Langevin, CoLA-od). Default none. */
  readonly constraints?: readonly ConstraintSpec[];
  /** When the weights violate a constraint at init: project them (default) or throw. */
  readonly onInfeasible?: OnInfeasible;
}

const DEFAULTS = { lr: 0.01, temperature: 1e-4 };

/**
 * Stochastic gradient Langevin dynamics (Welling and Teh 2011; the unadjusted Langevin
 * algorithm): the Euler-Maruyama discretization of `d theta = -grad L dt + sqrt(2 tau) dW`.
 * With delta = `lr`, tau = `temperature`, L the mean mini-batch loss and R ~ N(0, I) drawn
 * per step and tensor:
 *
 * ```
 * theta <- theta - delta grad L(theta) + sqrt(2 delta tau) R
 * ```
 * At tau = 0 this is SGD with learning rate delta, exactly. For a quadratic
 * `L = k theta^2 / 2` the stationary variance is `2 tau / (k (2 - delta k))` (spec 2.1).
 *
 * With `constraints` it is the constrained overdamped scheme (o-/s-/c-CoLA-od, spec 2.5):
 * the unconstrained move is followed by a correction along the normal at the OLD point
 * (SHAKE); the slack `s` of a circle- or ball-constrained tensor gets its own noise
 * `sqrt(2 delta tau) R_s` and moves with it (a ball is the sphere one dimension up).
 *
 * Welling and Teh's step epsilon with `U = N L + prior` maps to `lr = epsilon N / 2`,
 * `temperature = 1 / N` (see {@link fromWellingTeh}).
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams } from "@sam/core";
 * import { sgld, temperatureFromDatasetSize } from "@sam/langevin";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 1e-3, temperature: temperatureFromDatasetSize(50_000) },
 *   rule: sgld(),
 * });
 * ```
 */
export function sgld(defaults: SgldHyper = {}, options: SgldOptions = {}): UpdateRule<Required<SgldHyper>> {
  checkKnown("sgld", defaults, DEFAULTS);
  const merged = { ...DEFAULTS, ...defaults };
  checkDefaults("sgld", merged, ["lr"], ["temperature"]);
  const noise = options.noise ?? defaultNoise;
  const constraints = [...(options.constraints ?? [])];
  const onInfeasible = options.onInfeasible ?? "project";
  return perGroup<Required<SgldHyper>>({
    kind: "sgld",
    defaults: merged,
    init: (group: ParamGroup): RuleState =>
      initConstrainedState("sgld", "sgld", group, constraints, { momentum: false, onInfeasible }),
    apply(group, grads, rawState, hyper, ctx) {
      const state = rawState as ConstrainedState;
      const { lr, temperature } = hyper;
      requirePositive("sgld", group, "lr", lr);
      const amp = Math.sqrt(2 * lr * temperature);
      group.params.forEach((param, i) => {
        const g = grads[i];
        if (!g) return;
        const w = param.variable;
        const con = state.constraints[i];
        let moved = tf.sub(w, tf.mul(g, lr));
        if (amp > 0) moved = tf.add(moved, draw(noise, group, i, "R", amp, ctx));
        if (!con) {
          w.assign(moved);
        } else if (con.kind === "circle") {
          const sSlot = state.get("slack", i);
          const sMoved = amp > 0 ? tf.add(sSlot, draw(noise, group, i, "Rs", amp, ctx)) : sSlot;
          const [wNew, sNew] = circleSolve(moved, sMoved, w, sSlot, con.radius);
          w.assign(wNew);
          sSlot.assign(sNew);
        } else if (con.kind === "ball") {
          // The sphere one dimension up: (w, s) moved together, solved along the old (w, s).
          const sSlot = state.get("slack", i);
          const m = con.matrix[1];
          const sMoved = amp > 0 ? tf.add(sSlot, draw(noise, group, i, "Rs", amp, ctx, [m])) : sSlot;
          const solved = solve(stackSlack(moved, sMoved, con), stackSlack(w, sSlot, con), ballAugmented(con));
          const [wNew, sNew] = unstackSlack(solved, con, w.shape);
          w.assign(wNew);
          sSlot.assign(sNew);
        } else {
          w.assign(solve(moved, w, con));
        }
      });
      return undefined;
    },
    getConfig: () => ({
      kind: "sgld",
      ...defaults,
      constraints: constraints.map((c) => ({ ...c })),
      noise: noise.kind,
      onInfeasible,
    }),
  });
}

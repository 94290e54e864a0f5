import { type ParamGroup, perGroup, rejectValue, type RuleState, type UpdateRule } from "@sam/core";
import type { ConstraintSpec } from "./constraint";
import { initConstrainedState, type OnInfeasible } from "./internal/constrainedState";
import { checkDefaults, requireNonNegative, requirePositive } from "./internal/hyper";
import { type ConstrainedState, checkKnown, firstHalfKick, type NoiseOption } from "./internal/ruleSupport";
import { baoab } from "./baoab";
import { defaultNoise } from "./noiseSource";

/** Hyperparameters of {@link langevin} (per group, schedulable). */
export type LangevinHyper = {
  /** Time step h (theta moves by h p per step). Default 0.1. Must be > 0. */
  h?: number;
  /** Friction gamma (c = exp(-gamma h)). Default 1. Must be > 0. */
  friction?: number;
  /** Temperature tau in mean-loss units. Default 1e-4. 0 gives heavy-ball momentum. */
  temperature?: number;
};

/** Options of {@link langevin}. */
export interface LangevinOptions extends NoiseOption {
  /**
   * Sub-step order: `'BAOAB'` (default; exact configurational variance tau/k on Gaussians)
   * or `'OBA'` (the authors' o-CoLA-ud order, equal to SGD-momentum at tau = 0; first order).
   */
  readonly order?: "BAOAB" | "OBA";
  /** First kick of the B-first BAOAB form: `'half'` (h/2, default, the proper BAOAB start) or `'full'` (h). */
  readonly firstKick?: "half" | "full";
  /** Constraints on tensors of the group (constrained underdamped Langevin, CoLA-ud). Default none. */
  readonly constraints?: readonly ConstraintSpec[];
  /** When the weights violate a constraint at init: project them (default) or throw. */
  readonly onInfeasible?: OnInfeasible;
}

const DEFAULTS = { h: 0.1, friction: 1, temperature: 1e-4 };

/**
 * Underdamped Langevin dynamics, `d theta = p dt`, `dp = -grad L dt - gamma p dt + sqrt(2 gamma tau) dW`,
 * integrated by BAOAB (Leimkuhler and Matthews) in the "B-first" form the authors' code and
 * TATi use: one gradient per step, at the current parameters. With h = `h`, gamma =
 * `friction`, tau = `temperature`, g_n = grad L(theta_n), R_n ~ N(0, I), momentum p (unit
 * mass, starts at 0), c = exp(-gamma h), d = sqrt(tau (1 - c^2)) (the exact OU coefficients):
 *
 * ```
 * p     <- p - kappa_n g_n          kappa_0 = h/2 (firstKick 'half'), kappa_n = h for n >= 1
 * theta <- theta + (h/2) p
 * p     <- c p + d R_n              (the stored momentum)
 * theta <- theta + (h/2) p
 * ```
 * n counts this rule's own steps on the group (slot `@<group>/langevin.step`), not the
 * optimizer's: `everyK(k, langevin())` takes its half kick on its first update.
 * On `L = k theta^2 / 2` the stationary `Var theta = tau/k` and `<p^2> = tau` exactly for any
 * stable h. At tau = 0 with `firstKick: 'full'` it equals heavy-ball SGD with
 * `lr = h^2 (1 + c) / 2`, `momentum = c` (see {@link toHeavyBall}); with `order: 'OBA'`
 * (`O_h B_h A_h`) it equals `lr = h^2`, `momentum = c`.
 *
 * With `constraints` it is constrained Langevin (o-/s-/c-CoLA-ud, spec 2.5): the momentum is
 * projected on the tangent space after B and O, and A is RATTLE (position solve along the old
 * normal, momentum corrected and projected) or, for circles, the exact rotation.
 *
 * @example
 * ```ts
 * import { collectParams, GroupedOptimizer, rejectValue } from "@sam/core";
 * import { langevin } from "@sam/langevin";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { h: 0.1, friction: 1, temperature: 1e-4 },
 *   rule: langevin(),
 * });
 * model.compile({ optimizer, loss: "categoricalCrossentropy" });
 * ```
 */
export function langevin(
  defaults: LangevinHyper = {},
  options: LangevinOptions = {},
): UpdateRule<Required<LangevinHyper>> {
  return underdampedRule("langevin", defaults, options) as UpdateRule<Required<LangevinHyper>>;
}

/** Shared by {@link langevin} and `overdampedLangevin` (gamma = infinity, c = 0). */
export function underdampedRule(
  kind: "langevin" | "overdamped",
  defaults: LangevinHyper,
  options: LangevinOptions,
): UpdateRule<Readonly<Record<string, number>>> {
  const base = kind === "langevin" ? DEFAULTS : { h: 0.1, temperature: 1e-4 };
  checkKnown(kind, defaults, base);
  const merged = { ...base, ...defaults } as Record<string, number>;
  checkDefaults(kind, merged, kind === "langevin" ? ["h", "friction"] : ["h"], ["temperature"]);
  const order = options.order ?? "BAOAB";
  const firstKick = options.firstKick ?? "half";
  if (order !== "BAOAB" && order !== "OBA") {
    rejectValue(
      `${kind}: option order`,
      order,
      "it must be 'BAOAB' or 'OBA'",
      "Use 'BAOAB' to sample, 'OBA' to reproduce SGD-momentum.",
    );
  }
  if (firstKick !== "half" && firstKick !== "full") {
    rejectValue(
      `${kind}: option firstKick`,
      firstKick,
      "it must be 'half' or 'full'",
      "Use 'half' (BAOAB) unless you reproduce heavy-ball SGD.",
    );
  }
  const noise = options.noise ?? defaultNoise;
  const constraints = [...(options.constraints ?? [])];
  const onInfeasible = options.onInfeasible ?? "project";
  return perGroup<Readonly<Record<string, number>>>({
    kind,
    defaults: merged,
    init: (group: ParamGroup): RuleState =>
      initConstrainedState(kind, kind, group, constraints, {
        momentum: true,
        onInfeasible,
        clock: order === "BAOAB" && firstKick === "half",
      }),
    apply(group, grads, state, hp, ctx) {
      requirePositive(kind, group, "h", hp.h!);
      requireNonNegative(kind, group, "temperature", hp.temperature!);
      let c = 0;
      if (kind === "langevin") {
        requirePositive(kind, group, "friction", hp.friction!);
        c = Math.exp(-hp.friction! * hp.h!);
      }
      const d = Math.sqrt(hp.temperature! * (1 - c * c));
      const kick =
        order === "BAOAB" && firstKick === "half" ? firstHalfKick(state as ConstrainedState, hp.h!) : hp.h!;
      baoab(group, grads, state as ConstrainedState, { h: hp.h!, kick, c, d }, order, noise, ctx);
      return undefined;
    },
    getConfig: () => ({
      kind,
      ...defaults,
      order,
      firstKick,
      constraints: constraints.map((x) => ({ ...x })),
      noise: noise.kind,
      onInfeasible,
    }),
  });
}

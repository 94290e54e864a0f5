import { type GroupedOptimizer, type ParamGroup, resolveGroupHyper, type UpdateRule } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import {
  type ConstraintSpec,
  type ResolvedConstraint,
  resolveConstraints,
  tangentDimension,
} from "./constraint";
import { constraintResidual } from "./projectOntoConstraint";

/** What {@link langevinDiagnostics} reports for one tensor. */
export interface TensorDiagnostics {
  readonly path: string;
  /** Number of entries N. */
  readonly size: number;
  /**
   * Kinetic temperature of the stored momentum, `p^T p / n_T` with n_T the tangent dimension
   * (N unconstrained; `N - k(k+1)/2` orthogonal, `k = min(fanIn, units)`; `N - units` sphere;
   * for circles and balls `(p^T p + p_s^T p_s) / N`). Equals tau at equilibrium. Absent for
   * rules without momentum.
   */
  readonly kineticTemperature?: number;
  /** Adaptive Langevin: the thermostat xi. */
  readonly thermostat?: number;
  /** Adaptive Langevin: `p^T p / n_T` as the E-step saw it last step (exactly tau at stationarity). */
  readonly kineticTemperatureAtThermostat?: number;
  /** The tensor's constraint, if any. */
  readonly constraint?: ResolvedConstraint["kind"];
  /** Max violation: `max|M^T M - I|`, `max| |w_j| - r |`, `max|w^2 + s^2 - r^2|` or `max| |w_j|^2 + s_j^2 - r^2 |`. */
  readonly constraintResidual?: number;
}

/** What {@link langevinDiagnostics} reports for one group. */
export interface GroupDiagnostics {
  readonly label: string;
  /** The group's rule kind (`langevin`, `adla`, ...). */
  readonly rule: string;
  /** The group's target temperature at the current step, if its rule has one. */
  readonly temperature?: number;
  /** Size-weighted mean kinetic temperature over the group's tensors with momentum. */
  readonly kineticTemperature?: number;
  readonly tensors: readonly TensorDiagnostics[];
}

/** The report of {@link langevinDiagnostics}. */
export interface LangevinDiagnostics {
  /** Optimizer steps taken. */
  readonly step: number;
  readonly groups: readonly GroupDiagnostics[];
}

const MOMENTUM_KINDS = new Set(["langevin", "overdamped", "adla"]);

/**
 * Reads, on request, what a Langevin optimizer's state says: per group and tensor the
 * kinetic temperature, the thermostat values, the E-step kinetic temperature, and the
 * constraint residuals. It reads device memory asynchronously and never runs during a step;
 * call it every step or every N steps (see {@link diagnosticsCallback}).
 *
 * @example
 * ```ts
 * import { adlala, langevinDiagnostics } from "@sam/langevin";
 *
 * const optimizer = adlala({ params });
 * for (let step = 0; step < 1000; step++) {
 *   optimizer.minimize(lossFn);
 *   if (step % 100 === 0) console.log(JSON.stringify(await langevinDiagnostics(optimizer)));
 * }
 * ```
 */
export async function langevinDiagnostics(optimizer: GroupedOptimizer): Promise<LangevinDiagnostics> {
  const weights = new Map((await optimizer.getWeights()).map((w) => [w.name, w.tensor]));
  const groups: GroupDiagnostics[] = [];
  for (const group of optimizer.groups) {
    const rule = ruleOf(optimizer.rule, group);
    const kind = rule.kind;
    const config = rule.getConfig();
    const constraints = Array.isArray(config.constraints)
      ? resolveConstraints(kind, group, config.constraints as ConstraintSpec[])
      : group.params.map(() => null);
    const hyper = { ...rule.defaults, ...resolveGroupHyper(group, optimizer.step) };
    const tensors: TensorDiagnostics[] = [];
    let weighted = 0;
    let count = 0;
    for (const [i, p] of group.params.entries()) {
      const slot = (name: string) => weights.get(`${p.path}/${kind}.${name}`);
      const con = constraints[i];
      const entry: Record<string, unknown> = { path: p.path, size: p.size };
      const momentum = slot("momentum");
      if (MOMENTUM_KINDS.has(kind) && momentum) {
        const slackMomentum = slot("slackMomentum");
        const energy = tf.tidy(() => {
          const e = tf.sum(tf.square(momentum));
          return slackMomentum ? tf.add(e, tf.sum(tf.square(slackMomentum))) : e;
        });
        const dof = tangentDimension(p.size, con);
        const value = (await energy.data())[0]! / dof;
        energy.dispose();
        entry.kineticTemperature = value;
        weighted += value * dof;
        count += dof;
      }
      const xi = slot("xi");
      if (xi) entry.thermostat = (await xi.data())[0];
      const kinetic = slot("kinetic");
      if (kinetic) entry.kineticTemperatureAtThermostat = (await kinetic.data())[0];
      if (con) {
        const residual = constraintResidual(p.variable, con, slot("slack"));
        entry.constraint = con.kind;
        entry.constraintResidual = (await residual.data())[0];
        residual.dispose();
      }
      tensors.push(entry as unknown as TensorDiagnostics);
    }
    groups.push({
      label: group.label,
      rule: kind,
      ...(typeof hyper.temperature === "number" ? { temperature: hyper.temperature } : {}),
      ...(count > 0 ? { kineticTemperature: weighted / count } : {}),
      tensors,
    });
  }
  return { step: optimizer.step, groups };
}

/**
 * Callbacks for `model.fit` that compute {@link langevinDiagnostics} every `every` batches and
 * hand them to `onReport`.
 *
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { adlala, diagnosticsCallback } from "@sam/langevin";
 *
 * const optimizer = adlala({ params: collectParams(model) });
 * model.compile({ optimizer, loss: "binaryCrossentropy" });
 * await model.fit(x, y, {
 *   epochs: 10,
 *   callbacks: diagnosticsCallback(optimizer, { every: 50, onReport: (d) => console.log(d.groups[0]) }),
 * });
 * ```
 */
export function diagnosticsCallback(
  optimizer: GroupedOptimizer,
  options: { every?: number; onReport: (report: LangevinDiagnostics) => void },
): { onBatchEnd: (batch: number) => Promise<void> } {
  const every = options.every ?? 1;
  let seen = 0;
  return {
    onBatchEnd: async () => {
      seen++;
      if (seen % every === 0) options.onReport(await langevinDiagnostics(optimizer));
    },
  };
}

function ruleOf(rule: UpdateRule, group: ParamGroup): UpdateRule {
  const rules = (rule as UpdateRule & { rules?: Record<string, UpdateRule> }).rules;
  return rule.kind === "partition" && rules?.[group.label] ? rules[group.label]! : rule;
}

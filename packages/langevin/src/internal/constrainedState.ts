import type { ParamGroup } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type ConstraintSpec, resolveConstraints } from "../constraint";
import { constraintResidual, projected } from "../projectOntoConstraint";
import { fail } from "./errors";
import { ConstrainedState } from "./ruleSupport";
import { allocateSlots } from "./slots";

/** What to do when a rule is built on weights that violate its constraints. */
export type OnInfeasible = "project" | "error";

/** Tolerance of the feasibility check at init (float32 round-off is ~1e-7). */
const FEASIBLE = 1e-5;

/**
 * Resolves a rule's constraints for a group, makes the weights feasible (or throws), and
 * allocates the slots: `momentum` for every parameter (underdamped rules), and for circle
 * constraints the slack `s = sqrt(r^2 - w^2)` and (underdamped) its momentum, zero.
 */
export function initConstrainedState(
  rule: string,
  kind: string,
  group: ParamGroup,
  specs: readonly ConstraintSpec[],
  options: { momentum: boolean; onInfeasible: OnInfeasible },
): ConstrainedState {
  const constraints = resolveConstraints(rule, group, specs);
  constraints.forEach((c, i) => {
    if (!c) return;
    const p = group.params[i]!;
    const residual = constraintResidual(p.variable, c);
    const value = residual.dataSync()[0]!; // init only, never in a step
    residual.dispose();
    if (value <= FEASIBLE * Math.max(1, c.radius * c.radius)) return;
    if (options.onInfeasible === "error") {
      fail(
        `${rule}: the ${c.kind} constraint residual of parameter ${JSON.stringify(p.path)}`,
        value,
        "a constrained rule must start on its constraint",
        "Call projectOntoConstraint(variable, constraint) first, or build the rule with { onInfeasible: 'project' }.",
      );
    }
    tf.tidy(() => p.variable.assign(projected(p.variable, c)));
  });
  const circles = constraints.flatMap((c, i) => (c?.kind === "circle" ? [i] : []));
  const perParam: Parameters<typeof allocateSlots>[2] = {
    ...(options.momentum ? { momentum: {} } : {}),
    ...(circles.length > 0
      ? {
          slack: {
            params: circles,
            init: (i: number) => {
              const r = constraints[i]!.radius;
              return tf.sqrt(tf.relu(tf.sub(r * r, tf.square(group.params[i]!.variable))));
            },
          },
          ...(options.momentum ? { slackMomentum: { params: circles } } : {}),
        }
      : {}),
  };
  return new ConstrainedState(allocateSlots(group, kind, perParam), constraints);
}

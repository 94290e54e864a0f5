import { allocateSlots, groupSlotName, rejectValue, type SlotSpec, StepCounter } from "@sam/core";
import type { ParamGroup } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type ConstraintSpec, resolveConstraints } from "../constraint";
import { constraintResidual, projected } from "../projectOntoConstraint";
import { ConstrainedState } from "./ruleSupport";
import { ballSlack } from "./geometry";

/** Per-parameter slot specifications, as `allocateSlots` takes them. */
export type SlotSpecs = Readonly<Record<string, SlotSpec>>;

/** What to do when a rule is built on weights that violate its constraints. */
export type OnInfeasible = "project" | "error";

/** Tolerance of the feasibility check at init (float32 round-off is ~1e-7). */
const FEASIBLE = 1e-5;

/**
 * Resolves a rule's constraints for a group, makes the weights feasible (or throws), and
 * allocates the slots: `momentum` for every parameter (underdamped rules); for circle
 * constraints the slack `s = sqrt(r^2 - w^2)` (the parameter's shape) and for ball
 * constraints `s_j = sqrt(r^2 - |w_j|^2)` (`[units]`), with (underdamped) their momenta, zero;
 * plus the rule's own `extra` slots, and with `clock` the rule's own step counter, the group
 * scalar `@<group>/<kind>.step` (the number of steps this rule has applied to the group).
 */
export function initConstrainedState(
  rule: string,
  kind: string,
  group: ParamGroup,
  specs: readonly ConstraintSpec[],
  options: { momentum: boolean; onInfeasible: OnInfeasible; extra?: SlotSpecs; clock?: boolean },
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
      rejectValue(
        `${rule}: the ${c.kind} constraint residual of parameter ${JSON.stringify(p.path)}`,
        value,
        "a constrained rule must start on its constraint",
        "Call projectOntoConstraint(variable, constraint) first, or build the rule with { onInfeasible: 'project' }.",
      );
    }
    tf.tidy(() => p.variable.assign(projected(p.variable, c)));
  });
  const slacked = constraints.flatMap((c, i) => (c?.kind === "circle" || c?.kind === "ball" ? [i] : []));
  const slackOf = (i: number) => {
    const c = constraints[i]!;
    const w = group.params[i]!.variable;
    return c.kind === "ball" ? ballSlack(w, c) : tf.sqrt(tf.relu(tf.sub(c.radius * c.radius, tf.square(w))));
  };
  const perParam: SlotSpecs = {
    ...(options.momentum ? { momentum: {} } : {}),
    ...(slacked.length > 0
      ? {
          slack: { params: slacked, init: slackOf },
          ...(options.momentum
            ? { slackMomentum: { params: slacked, init: (i: number) => tf.zerosLike(slackOf(i)) } }
            : {}),
        }
      : {}),
    ...options.extra,
  };
  const clock = options.clock ? new StepCounter(groupSlotName(group, kind, "step")) : undefined;
  return new ConstrainedState(allocateSlots(group, kind, perParam), constraints, group, clock);
}

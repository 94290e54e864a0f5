import * as tf from "@tensorflow/tfjs-core";
import type { ParamGroup } from "../params/groupParams";
import { groupSlotName, paramSlotName, SlotState } from "./updateRule";

/**
 * Allocates a rule's state for one group: zero-filled, non-trainable slot variables, one per
 * parameter for each name in `perParam` (the parameter's shape, named
 * `<param path>/<kind>.<slot>`) and one scalar per name in `perGroup` (named
 * `@<group label>/<kind>.<slot>`). What every built-in rule's `init` returns; use it in your
 * own rules so that their state is saved and restored with the optimizer.
 *
 * @param group The group the state belongs to.
 * @param kind The rule's registered name, the prefix of the slot names.
 * @param perParam Names of the per-parameter slots, e.g. `["momentum"]`.
 * @param perGroup Names of the per-group scalar slots (stored at index 0), e.g. `["count"]`.
 *
 * @example
 * ```ts
 * import { allocateSlots, type SlotState, type UpdateRule } from "@sam/core";
 * import * as tf from "@tensorflow/tfjs";
 *
 * // heavy-ball momentum as a custom rule: one "velocity" slot per parameter
 * const heavyBall: UpdateRule = {
 *   kind: "heavyBall",
 *   defaults: { lr: 0.01, mu: 0.9 },
 *   init: (group) => allocateSlots(group, "heavyBall", ["velocity"]),
 *   apply: (group, grads, state, hyper) => {
 *     grads.forEach((g, i) => {
 *       if (!g) return;
 *       const v = (state as SlotState).get("velocity", i);
 *       v.assign(tf.add(tf.mul(hyper.mu as number, v), g));
 *       group.params[i]!.variable.assign(tf.sub(group.params[i]!.variable, tf.mul(hyper.lr as number, v)));
 *     });
 *     return undefined;
 *   },
 *   getConfig: () => ({ kind: "heavyBall" }),
 * };
 * ```
 */
export function allocateSlots(
  group: ParamGroup,
  kind: string,
  perParam: readonly string[],
  perGroup: readonly string[] = [],
): SlotState {
  const zerosOf = (shape: readonly number[]) => {
    const zeros = tf.zeros([...shape]);
    const variable = tf.variable(zeros, false);
    zeros.dispose(); // the variable holds its own reference to the data
    return variable;
  };
  const named: { name: string; variable: tf.Variable }[] = [];
  const byName: Record<string, tf.Variable[]> = {};
  for (const slot of perParam) {
    byName[slot] = group.params.map((p) => {
      const variable = zerosOf(p.shape);
      named.push({ name: paramSlotName(p, kind, slot), variable });
      return variable;
    });
  }
  for (const slot of perGroup) {
    const variable = zerosOf([]);
    named.push({ name: groupSlotName(group, kind, slot), variable });
    byName[slot] = [variable];
  }
  return new SlotState(named, byName);
}

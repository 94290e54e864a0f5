import * as tf from "@tensorflow/tfjs-core";
import type { ParamGroup } from "../params/groupParams";
import type { Param } from "../params/param";
import { groupSlotName, paramSlotName, SlotState } from "./updateRule";

/**
 * What a per-parameter slot starts as: a number (every entry), or a tensor computed from the
 * parameter (run inside a `tf.tidy`; it may be of another shape, e.g. a scalar per tensor).
 */
export type SlotInit = number | ((paramIndex: number, param: Param) => tf.Tensor);

/** One per-parameter slot of {@link allocateSlots}: for which parameters, and its initial value. */
export interface SlotSpec {
  /**
   * The group's parameters that get this slot, by index into `group.params` or as a
   * predicate. Default: all. `state.get(name, i)` is `undefined` for the others.
   */
  readonly params?: readonly number[] | ((param: Param, paramIndex: number) => boolean);
  /** Initial value. Default 0 (zeros of the parameter's shape). */
  readonly init?: SlotInit;
}

/**
 * Allocates a rule's state for one group: non-trainable slot variables, saved and restored
 * with the optimizer.
 *
 * - `perParam`: names (zero-filled, the parameter's shape), or a record from name to a
 *   {@link SlotSpec} with an initial value and the subset of parameters that have the slot
 *   (a constraint's slack exists only for the constrained tensors). Named
 *   `<param path>/<kind>.<slot>`.
 * - `perGroup`: names of scalar slots (zero), or a record from name to initial value, stored at
 *   index 0 and named `@<group label>/<kind>.<slot>` (a rule's own step counter, a
 *   thermostat shared by the group).
 *
 * What every built-in rule's `init` returns; use it in your own rules so that their state is
 * saved and restored with the optimizer.
 *
 * @param group The group the state belongs to.
 * @param kind The rule's registered name, the prefix of the slot names.
 * @param perParam The per-parameter slots.
 * @param perGroup The per-group scalar slots.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { allocateSlots, fromVariables, singleGroup } from "@sam/core";
 *
 * const params = fromVariables({ w: tf.variable(tf.ones([2, 2])), b: tf.variable(tf.zeros([2])) });
 * const [group] = singleGroup(params);
 * const state = allocateSlots(
 *   group!,
 *   "myRule",
 *   {
 *     velocity: {}, // zeros for every parameter
 *     scale: { params: (p) => p.tags.has("weight"), init: 1 }, // ones, for the weight matrices only
 *   },
 *   { count: 0 }, // one scalar for the group: "@all/myRule.count"
 * );
 * state.get("scale", 1); // undefined: b has no "scale" slot
 * state.dispose();
 * ```
 */
export function allocateSlots(
  group: ParamGroup,
  kind: string,
  perParam: readonly string[] | Readonly<Record<string, SlotSpec>>,
  perGroup: readonly string[] | Readonly<Record<string, number>> = [],
): SlotState {
  const toVariable = (value: tf.Tensor) => {
    const variable = tf.variable(value, false);
    value.dispose(); // the variable holds its own copy
    return variable;
  };
  const specs: [string, SlotSpec][] = Array.isArray(perParam)
    ? perParam.map((name) => [name, {}])
    : Object.entries(perParam as Readonly<Record<string, SlotSpec>>);
  const named: { name: string; variable: tf.Variable }[] = [];
  const byName: Record<string, tf.Variable[]> = {};
  for (const [slot, spec] of specs) {
    const wanted = spec.params;
    const has =
      wanted === undefined
        ? () => true
        : typeof wanted === "function"
          ? wanted
          : (
              (set) => (_: Param, i: number) =>
                set.has(i)
            )(new Set(wanted));
    const list: tf.Variable[] = [];
    group.params.forEach((p, i) => {
      if (!has(p, i)) return;
      const init = spec.init ?? 0;
      const value = typeof init === "number" ? tf.fill([...p.shape], init) : tf.tidy(() => init(i, p));
      const variable = toVariable(value);
      named.push({ name: paramSlotName(p, kind, slot), variable });
      list[i] = variable;
    });
    byName[slot] = list;
  }
  const scalars: [string, number][] = Array.isArray(perGroup)
    ? perGroup.map((name) => [name, 0])
    : Object.entries(perGroup as Readonly<Record<string, number>>);
  for (const [slot, value] of scalars) {
    const variable = toVariable(tf.scalar(value));
    named.push({ name: groupSlotName(group, kind, slot), variable });
    byName[slot] = [variable];
  }
  return new SlotState(named, byName);
}

import { groupSlotName, type ParamGroup, paramSlotName, SlotState } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/** What a slot starts as: zeros (default), or a tensor computed from the parameter. */
export type SlotInit = (paramIndex: number) => tf.Tensor;

/**
 * Allocates slot variables, one per parameter in `params` for each entry of `perParam`
 * (zeros of the parameter's shape unless an initializer is given), named
 * `<param path>/<kind>.<slot>`. `@sam/core`'s `allocateSlots` extended with initial values
 * and slots for a subset of the group's parameters (constraint slack and its momentum exist
 * only for the constrained tensors).
 */
export function allocateSlots(
  group: ParamGroup,
  kind: string,
  perParam: Readonly<Record<string, { readonly params?: readonly number[]; readonly init?: SlotInit }>>,
  perGroup: readonly string[] = [],
): SlotState {
  const toVariable = (value: tf.Tensor) => {
    const variable = tf.variable(value, false);
    value.dispose(); // the variable holds its own copy
    return variable;
  };
  const named: { name: string; variable: tf.Variable }[] = [];
  const byName: Record<string, tf.Variable[]> = {};
  for (const [slot, spec] of Object.entries(perParam)) {
    const wanted = spec.params ? new Set(spec.params) : null;
    const list: tf.Variable[] = [];
    group.params.forEach((p, i) => {
      if (wanted && !wanted.has(i)) return;
      const variable = toVariable(spec.init ? tf.tidy(() => spec.init!(i)) : tf.zeros([...p.shape]));
      named.push({ name: paramSlotName(p, kind, slot), variable });
      list[i] = variable;
    });
    byName[slot] = list;
  }
  for (const slot of perGroup) {
    const variable = toVariable(tf.zeros([]));
    named.push({ name: groupSlotName(group, kind, slot), variable });
    byName[slot] = [variable];
  }
  return new SlotState(named, byName);
}

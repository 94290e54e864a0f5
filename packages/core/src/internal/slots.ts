import * as tf from "@tensorflow/tfjs-core";
import type { ParamGroup } from "../params/groupParams";
import { groupSlotName, paramSlotName, SlotState } from "../rules/updateRule";

/**
 * Allocates zero-filled slot variables: one per parameter for each name in `perParam`
 * (same shape as the parameter), and one scalar per name in `perGroup`.
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

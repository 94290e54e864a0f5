import { type ParamGroup, paramSlotName, SlotState } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/**
 * Zero-filled slot variables, one per parameter of `group` for each name in `perParam`,
 * named `<param path>/<kind>.<slot>` (the project's convention). `@sam/core` keeps its own
 * helper internal, so this package has this small copy.
 */
export function allocateSlots(group: ParamGroup, kind: string, perParam: readonly string[]): SlotState {
  const named: { name: string; variable: tf.Variable }[] = [];
  const byName: Record<string, tf.Variable[]> = {};
  for (const slot of perParam) {
    byName[slot] = group.params.map((p) => {
      const zeros = tf.zeros([...p.shape]);
      const variable = tf.variable(zeros, false);
      zeros.dispose();
      named.push({ name: paramSlotName(p, kind, slot), variable });
      return variable;
    });
  }
  return new SlotState(named, byName);
}

import * as tf from "@tensorflow/tfjs";
import { optimizerConformance } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { rejectValue } from "../errors/rejectValue";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { registerRule } from "../optimizer/registry";
import { collectParams } from "../params/collectParams";
import { fromVariables } from "../params/fromVariables";
import { allocateSlots } from "./allocateSlots";
import { cosineDecay } from "./schedule";
import { type SlotState, type UpdateRule, withDefaults } from "./updateRule";

// The worked custom rule of docs/concepts.md ("Writing a rule"), verbatim: keep the two in step.
interface LionHyper {
  lr?: number;
  beta1?: number;
  beta2?: number;
  weightDecay?: number;
}

function lion(defaults: LionHyper = {}): UpdateRule {
  const merged = { lr: 1e-4, beta1: 0.9, beta2: 0.99, weightDecay: 0, ...defaults };
  for (const beta of ["beta1", "beta2"] as const) {
    if (!(merged[beta] >= 0 && merged[beta] < 1)) {
      rejectValue(`lion: ${beta}`, merged[beta], "it must be in [0, 1)", "Use the paper's 0.9 and 0.99.");
    }
  }
  return {
    kind: "lion",
    defaults: merged,
    // one momentum slot per parameter (zeros) and the rule's own clock, "@<group>/lion.step"
    init: (group) => allocateSlots(group, "lion", ["momentum"], { step: 0 }),
    apply(group, grads, rawState, hyper) {
      const state = rawState as SlotState;
      const h = withDefaults(merged, hyper) as typeof merged;
      const t = state.get("step", 0);
      // beta1 on the device: 0 on the rule's first step (c = g), beta1 after
      const beta1 = tf.where(tf.equal(t, 0), tf.scalar(0), tf.scalar(h.beta1));
      group.params.forEach((param, i) => {
        const g = grads[i];
        if (!g) return; // no gradient: leave the parameter and its state alone
        const w = param.variable;
        const m = state.get("momentum", i);
        const c = tf.add(tf.mul(beta1, m), tf.mul(tf.sub(1, beta1), g));
        w.assign(tf.sub(w, tf.mul(h.lr, tf.add(tf.sign(c), tf.mul(h.weightDecay, w)))));
        m.assign(tf.add(tf.mul(h.beta2, m), tf.mul(1 - h.beta2, g)));
      });
      t.assign(tf.add(t, 1));
      return undefined;
    },
    getConfig: () => ({ kind: "lion", ...defaults }),
  };
}
registerRule("lion", (config) => lion(config as LionHyper));

const make = (vars: Record<string, tf.Variable>) =>
  // sign steps of a constant size circle the minimum: decay lr to land on it
  new GroupedOptimizer({
    params: fromVariables(vars),
    defaults: { lr: cosineDecay(0.02, 600) },
    rule: lion(),
  });
optimizerConformance("lion (the worked custom rule of docs/concepts.md)", {
  make,
  fromConfig: (config, vars) => GroupedOptimizer.load(config as never, fromVariables(vars)),
  makeForModel: (model) =>
    new GroupedOptimizer({ params: collectParams(model), defaults: { lr: 1e-3 }, rule: lion() }),
  convergence: { steps: 600, loss: 1e-3 },
});

describe("the worked custom rule", () => {
  it("takes the hand-derived steps: c = g on its own first step, then beta1 m + (1 - beta1) g", () => {
    const w = tf.variable(tf.scalar(2));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { lr: 0.1 },
      rule: lion(),
    });
    const loss = () => tf.mul(0.5, tf.square(w)) as tf.Scalar;
    optimizer.minimize(loss);
    expect(w.dataSync()[0]).toBeCloseTo(1.9, 6);
    optimizer.minimize(loss);
    expect(w.dataSync()[0]).toBeCloseTo(1.8, 6);
    optimizer.dispose();
    w.dispose();
  });

  it("names the bad value and the fix", () => {
    expect(() => lion({ beta2: 1 })).toThrow(
      "lion: beta2 is 1: it must be in [0, 1). Use the paper's 0.9 and 0.99.",
    );
  });
});

import * as tf from "@tensorflow/tfjs";
import { expectTensorsClose } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { fromVariables } from "../params/fromVariables";
import { pathGlob } from "../params/selectors";
import { adam } from "./adam";
import { chainRules, clipByGlobalNorm } from "./chainRules";
import { everyK } from "./everyK";
import { partitionRules } from "./partitionRules";
import { scaleLr } from "./scaleLr";
import { sgd } from "./sgd";
import { perGroup, StepCounter, type UpdateRule } from "./updateRule";

const two = () => {
  const a = tf.variable(tf.tensor1d([1]));
  const b = tf.variable(tf.tensor1d([1]));
  return { a, b, params: fromVariables({ a, b }), dispose: () => tf.dispose([a, b]) };
};
const groups = [
  { label: "a", select: pathGlob("a") },
  { label: "b", select: pathGlob("b") },
];

describe("the step protocol", () => {
  it("calls every rule every step, so a rule moves a group that got no gradient", () => {
    // "decay" needs no gradient: w <- w / 2 every step, on a group outside the loss
    const halve: UpdateRule = {
      kind: "halve",
      defaults: {},
      init: () => ({ slots: () => [], dispose: () => {} }),
      gradientsNeeded: () => [],
      update(gs) {
        for (const g of gs) for (const p of g.params) p.variable.assign(tf.div(p.variable, 2));
        return undefined;
      },
      getConfig: () => ({ kind: "halve" }),
    };
    const v = two();
    const optimizer = new GroupedOptimizer({
      params: v.params,
      groups,
      defaults: { lr: 0.5 },
      rule: partitionRules({ a: sgd(), b: halve }),
    });
    optimizer.minimize(() => tf.sum(v.a) as tf.Scalar); // b is not in the loss
    optimizer.minimize(() => tf.sum(v.a) as tf.Scalar);
    expectTensorsClose(v.a, [0], { atol: 1e-7 }); // 1 - 0.5 - 0.5
    expectTensorsClose(v.b, [0.25], { atol: 1e-7 });
    optimizer.dispose();
    v.dispose();
  });

  it("everyK gives the inner rule its own count: adam's bias correction starts at t = 1 on its first run", () => {
    // everyK(3, adam) first runs at the optimizer's step 2; its first Adam step is t = 1, so
    // |Delta w| = lr exactly (m_hat / sqrt(v_hat) = sign(g)), whatever the global step.
    const v = two();
    const optimizer = new GroupedOptimizer({
      params: v.params,
      groups,
      defaults: { lr: 0.1 },
      rule: partitionRules({ a: everyK(3, adam({ epsilon: 0 })), b: sgd({ lr: 0 }) }),
    });
    const loss = () => tf.sum(tf.mul(3, v.a)) as tf.Scalar;
    for (let i = 0; i < 2; i++) optimizer.minimize(loss);
    expectTensorsClose(v.a, [1], { atol: 0 });
    optimizer.minimize(loss);
    expectTensorsClose(v.a, [0.9], { atol: 1e-6 });
    optimizer.dispose();
    v.dispose();
  });

  it("a StepCounter re-reads its slot after the slot was written from outside", () => {
    const counter = new StepCounter("@a/x.count");
    counter.tick();
    counter.tick();
    expect(counter.value).toBe(2);
    counter.variable.assign(tf.scalar(7));
    counter.restored();
    expect(counter.value).toBe(7);
    counter.dispose();
  });

  it("an unknown hyperparameter key is an error that lists the known ones", () => {
    const v = two();
    expect(
      () =>
        new GroupedOptimizer({
          params: v.params,
          groups: [
            { label: "a", select: pathGlob("a"), hyper: { momentun: 0.9 } },
            { label: "b", select: pathGlob("b") },
          ],
          rule: sgd(),
        }),
    ).toThrow(
      /Group "a" has hyperparameter "momentun", which no rule reads \(rule sgd\)\. The known hyperparameters are "lr", "lrScale", "momentum", "nesterov", "weightDecay"/,
    );
    expect(() => new GroupedOptimizer({ params: v.params, defaults: { bet1: 0.9 }, rule: adam() })).toThrow(
      /The optimizer's defaults has hyperparameter "bet1"/,
    );
    v.dispose();
  });

  it("perGroup hands the rule typed hyperparameters: its defaults over the group's", () => {
    const seen: number[] = [];
    const rule = perGroup({
      kind: "probe",
      defaults: { lr: 0.01, mu: 0.5 },
      init: () => ({ slots: () => [], dispose: () => {} }),
      apply(_g, _grads, _s, h) {
        seen.push(h.lr, h.mu);
        return undefined;
      },
      getConfig: () => ({ kind: "probe" }),
    });
    const v = two();
    const optimizer = new GroupedOptimizer({ params: v.params, defaults: { lr: 0.2 }, rule });
    optimizer.minimize(() => tf.sum(v.a) as tf.Scalar);
    expect(seen).toEqual([0.2, 0.5]);
    optimizer.dispose();
    v.dispose();
  });

  it("scaleLr multiplies the step size; clipByGlobalNorm clips all its groups together", () => {
    const v = two();
    const optimizer = new GroupedOptimizer({
      params: v.params,
      groups,
      defaults: { lr: 0.1 },
      // gradients (3, 4): joint norm 5 -> clipped to (0.6, 0.8)
      rule: chainRules(clipByGlobalNorm(1), scaleLr(2, sgd())),
    });
    optimizer.minimize(() => tf.add(tf.sum(tf.mul(3, v.a)), tf.sum(tf.mul(4, v.b))) as tf.Scalar);
    expectTensorsClose(v.a, [1 - 0.2 * 0.6], { atol: 1e-6 });
    expectTensorsClose(v.b, [1 - 0.2 * 0.8], { atol: 1e-6 });
    optimizer.dispose();
    v.dispose();
  });

  it("fromConfig with params gives a ready optimizer that tracks the original", async () => {
    const v1 = two();
    const v2 = two();
    const original = new GroupedOptimizer({
      params: v1.params,
      groups,
      defaults: { lr: 0.1, momentum: 0.9 },
      rule: partitionRules({ a: everyK(2, sgd()), b: sgd() }),
    });
    const loss = (v: ReturnType<typeof two>) => () => tf.sum(tf.square(tf.add(v.a, v.b))) as tf.Scalar;
    original.minimize(loss(v1));
    const copy = GroupedOptimizer.fromConfig(
      GroupedOptimizer,
      original.getConfig(),
      v2.params,
    ) as GroupedOptimizer;
    v2.a.assign(v1.a);
    v2.b.assign(v1.b);
    await copy.setWeights(await original.getWeights());
    for (let i = 0; i < 3; i++) {
      original.minimize(loss(v1));
      copy.minimize(loss(v2));
    }
    expect(Array.from(v2.a.dataSync())).toEqual(Array.from(v1.a.dataSync()));
    expect(Array.from(v2.b.dataSync())).toEqual(Array.from(v1.b.dataSync()));
    original.dispose();
    copy.dispose();
    v1.dispose();
    v2.dispose();
  });
});

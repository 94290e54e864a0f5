import {
  adam,
  collectParams,
  everyK,
  everything,
  fromVariables,
  GroupedOptimizer,
  type GroupSpec,
  partitionRules,
  pathGlob,
  sgd,
  type UpdateRule,
} from "@sam/core";
import {
  expectNoLeak,
  expectTensorsClose,
  expectTensorsEqual,
  optimizerConformance,
  syntheticBatch,
  tinyBatchNorm,
} from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import "./registerMultirateRules";
import { type MultirateRuleOptions, multirateRule } from "./multirateRule";
import { slowFirst } from "./slowFirst";

const fastSlow = (fast: string): GroupSpec[] => [
  { label: "fast", select: pathGlob(fast) },
  { label: "slow", select: everything },
];

/** L(a, b) = 1/2 (a + b)^2 with a fast, b slow: dL/da = dL/db = a + b, so the groups are coupled. */
function coupled(options: MultirateRuleOptions, hyper: Record<string, number>) {
  const a = tf.variable(tf.tensor1d([1]), true);
  const b = tf.variable(tf.tensor1d([1]), true);
  const optimizer = new GroupedOptimizer({
    params: fromVariables({ a, b }),
    groups: fastSlow("a"),
    defaults: hyper,
    rule: multirateRule(options),
  });
  const loss = () => tf.mul(0.5, tf.square(tf.sum(tf.add(a, b)))) as tf.Scalar;
  const slot = async (name: string) =>
    (await optimizer.getWeights()).find((w) => w.name === name)!.tensor.dataSync()[0]!;
  const dispose = () => {
    optimizer.dispose();
    tf.dispose([a, b]);
  };
  return { a, b, optimizer, loss, slot, dispose };
}

describe("Algorithm 1: two full cycles match hand-derived values", () => {
  // k = 2, fast step lr = h/k = 0.1 (slow h = 0.2), mu = 0.5, from a = b = 1, p = 0; g = a + b.
  // step 0 (sync): g = 2;    p_b = 2, v_b = -(h/k) p_b = -0.2, b = 1 - 0.2 = 0.8;  p_a = 2, a = 1 - 0.2 = 0.8
  // step 1 (fast): g = 1.6;  p_a = 0.5*2 + 1.6 = 2.6, a = 0.8 - 0.26 = 0.54;      b = 0.8 - 0.2 = 0.6 (drift)
  // step 2 (sync): g = 1.14; p_b = 0.5*2 + 1.14 = 2.14, v_b = -0.214, b = 0.6 - 0.214 = 0.386;
  //                          p_a = 0.5*2.6 + 1.14 = 2.44, a = 0.54 - 0.244 = 0.296
  // step 3 (fast): g = 0.682; p_a = 0.5*2.44 + 0.682 = 1.902, a = 0.296 - 0.1902 = 0.1058; b = 0.386 - 0.214 = 0.172
  it("with linear drift: p_S changes once per cycle and theta_S moves (h/k) p_S every step", async () => {
    const c = coupled({ k: 2 }, { lr: 0.1, momentum: 0.5 });
    const expected = [
      { a: 0.8, b: 0.8, pa: 2, pb: 2, v: -0.2 },
      { a: 0.54, b: 0.6, pa: 2.6, pb: 2, v: -0.2 },
      { a: 0.296, b: 0.386, pa: 2.44, pb: 2.14, v: -0.214 },
      { a: 0.1058, b: 0.172, pa: 1.902, pb: 2.14, v: -0.214 },
    ];
    for (const [step, e] of expected.entries()) {
      c.optimizer.minimize(c.loss);
      const tol = { atol: 2e-6, rtol: 1e-6 };
      expectTensorsClose(c.a, [e.a], tol, `a after step ${step}`);
      expectTensorsClose(c.b, [e.b], tol, `b after step ${step}`);
      expectTensorsClose(await c.slot("a/sgd.momentum"), e.pa, tol, `p_a after step ${step}`);
      expectTensorsClose(await c.slot("b/sgd.momentum"), e.pb, tol, `p_b after step ${step}`);
      expectTensorsClose(await c.slot("b/multirate.drift"), e.v, tol, `v_b after step ${step}`);
    }
    c.dispose();
  });

  // Without drift (the paper's order) the slow group jumps by h p_S = 0.2 p_S FIRST, and the
  // synchronisation step's fast gradient is taken at the new point:
  // step 0: g_S = 2 at (1, 1);  p_b = 2, b = 1 - 0.4 = 0.6;  g_F = 1 + 0.6 = 1.6, p_a = 1.6, a = 1 - 0.16 = 0.84
  // step 1: g = 1.44;  p_a = 0.8 + 1.44 = 2.24, a = 0.84 - 0.224 = 0.616;  b = 0.6
  // step 2: g_S = 1.216; p_b = 1 + 1.216 = 2.216, b = 0.6 - 0.4432 = 0.1568;
  //         g_F = 0.616 + 0.1568 = 0.7728, p_a = 1.12 + 0.7728 = 1.8928, a = 0.616 - 0.18928 = 0.42672
  // step 3: g = 0.58352; p_a = 0.9464 + 0.58352 = 1.52992, a = 0.42672 - 0.152992 = 0.273728; b = 0.1568
  it("without drift: one jump of h p_S first, then the fast gradient at the new point, then k - 1 fast steps", () => {
    const c = coupled({ k: 2, drift: false }, { lr: 0.1, momentum: 0.5 });
    const expected = [
      [0.84, 0.6],
      [0.616, 0.6],
      [0.42672, 0.1568],
      [0.273728, 0.1568],
    ];
    for (const [step, [a, b]] of expected.entries()) {
      c.optimizer.minimize(c.loss);
      expectTensorsClose(c.a, [a!], { atol: 2e-6, rtol: 1e-6 }, `a after step ${step}`);
      expectTensorsClose(c.b, [b!], { atol: 2e-6, rtol: 1e-6 }, `b after step ${step}`);
    }
    c.dispose();
  });

  // Coupled weight decay lambda = 0.5 on both groups (the path the published stepslow() crashes on):
  // step 0: g = 2; g'_a = g'_b = 2 + 0.5 = 2.5; a = 1 - 0.25 = 0.75; p_b = 2.5, v = -0.25, b = 0.75
  // step 1: g = 1.5; g'_a = 1.5 + 0.375 = 1.875, p_a = 1.25 + 1.875 = 3.125, a = 0.4375; b = 0.5 (no decay off-sync)
  // step 2: g = 0.9375; g'_b = 0.9375 + 0.25 = 1.1875, p_b = 1.25 + 1.1875 = 2.4375, b = 0.5 - 0.24375 = 0.25625;
  //         g'_a = 0.9375 + 0.21875 = 1.15625, p_a = 1.5625 + 1.15625 = 2.71875, a = 0.4375 - 0.271875 = 0.165625
  it("applies coupled weight decay to the fast group every step and to the slow group once per cycle", () => {
    const c = coupled({ k: 2 }, { lr: 0.1, momentum: 0.5, weightDecay: 0.5 });
    const expected = [
      [0.75, 0.75],
      [0.4375, 0.5],
      [0.165625, 0.25625],
    ];
    for (const [step, [a, b]] of expected.entries()) {
      c.optimizer.minimize(c.loss);
      expectTensorsClose(c.a, [a!], { atol: 2e-6, rtol: 1e-6 }, `a after step ${step}`);
      expectTensorsClose(c.b, [b!], { atol: 2e-6, rtol: 1e-6 }, `b after step ${step}`);
    }
    c.dispose();
  });
});

describe("k = 1 is plain momentum SGD", () => {
  it("equals sgd({ momentum }) bit for bit over 12 steps on a BatchNorm model", () => {
    const a = tinyBatchNorm(3);
    const b = tinyBatchNorm(3);
    b.setWeights(a.getWeights());
    const { x, y } = syntheticBatch(8, [4], 3);
    const lossOf = (m: tf.LayersModel) => () =>
      tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const multi = new GroupedOptimizer({
      params: collectParams(a),
      groups: fastSlow("head/*"),
      defaults: { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 },
      rule: multirateRule({ k: 1 }),
    });
    const plain = new GroupedOptimizer({
      params: collectParams(b),
      defaults: { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 },
      rule: sgd({ momentum: 0.9 }),
    });
    for (let step = 0; step < 12; step++) {
      multi.minimize(lossOf(a));
      plain.minimize(lossOf(b));
    }
    a.weights.forEach((w, i) => expectTensorsEqual(w.read(), b.weights[i]!.read(), w.originalName));
    tf.dispose([x, y]);
    multi.dispose();
    plain.dispose();
  });
});

describe("composition with other rules", () => {
  // Adam's first step moves each coordinate by lr * g / (|g| + eps) ~ lr * sign(g). The slow
  // group's Adam runs once per cycle with step k * lr = 0.3, spread over the k = 3 steps:
  // a slow coordinate moves by 0.1 * sign(g) per step. With L = 1/2 (a + b)^2, a = 1, b = 2: g > 0.
  it("a slow group with adam: one Adam step of size k lr, spread evenly over the cycle", () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([2]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ a, b }),
      groups: fastSlow("a"),
      defaults: { lr: 0.1, momentum: 0 },
      rule: multirateRule({ k: 3, rules: { slow: adam() } }),
    });
    const loss = () => tf.mul(0.5, tf.square(tf.sum(tf.add(a, b)))) as tf.Scalar;
    for (const expected of [1.9, 1.8, 1.7]) {
      optimizer.minimize(loss);
      expectTensorsClose(b, [expected], { atol: 3e-6, rtol: 0 });
    }
    optimizer.dispose();
    tf.dispose([a, b]);
  });

  it("a fast group with adam equals partitionRules({ fast: adam, slow: everyK(k, sgd with k lr) }) when the slow group jumps", () => {
    const make = (rule: UpdateRule, slowLr: number) => {
      const a = tf.variable(tf.tensor1d([1, -2]));
      const b = tf.variable(tf.tensor1d([0.5, 3]));
      const optimizer = new GroupedOptimizer({
        params: fromVariables({ a, b }),
        groups: [
          { label: "fast", select: pathGlob("a") },
          { label: "slow", select: everything, hyper: { lr: slowLr } },
        ],
        defaults: { lr: 0.05, momentum: 0.9 },
        rule,
      });
      const loss = () =>
        tf.add(tf.sum(tf.square(tf.mul(a, b))), tf.mul(0.5, tf.sum(tf.square(b)))) as tf.Scalar;
      return { a, b, optimizer, loss };
    };
    const k = 4;
    // the slow group's lr is set on the group here, so the multirate run reads 0.05 and scales it by k
    const ours = make(multirateRule({ k, drift: false, rules: { fast: adam() } }), 0.05);
    const reference = make(
      slowFirst(
        ["slow"],
        partitionRules({ slow: everyK(k, sgd({ momentum: 0.9 }), { phase: 0 }) }),
        ["fast"],
        partitionRules({ fast: adam() }),
      ),
      0.05 * k,
    );
    for (let step = 0; step < 9; step++) {
      ours.optimizer.minimize(ours.loss);
      reference.optimizer.minimize(reference.loss);
      expectTensorsEqual(ours.a, reference.a, `a after step ${step}`);
      expectTensorsEqual(ours.b, reference.b, `b after step ${step}`);
    }
    for (const r of [ours, reference]) {
      r.optimizer.dispose();
      tf.dispose([r.a, r.b]);
    }
  });
});

describe("state", () => {
  it("leaks no tensor over sync and fast steps of a BatchNorm model", async () => {
    const model = tinyBatchNorm(2);
    const { x, y } = syntheticBatch(8, [4], 3);
    const optimizer = new GroupedOptimizer({
      params: collectParams(model),
      groups: fastSlow("head/*"),
      defaults: { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 },
      rule: multirateRule({ k: 3 }),
    });
    const loss = () =>
      tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    await expectNoLeak(() => optimizer.minimize(loss, true), { calls: 7, label: "multirate minimize" });
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  // step 0: g = 2, p_a = p_b = 2, a = 0.8, v_b = -0.2, b = 0.8; step 1 trains no group
  // (fast outside varList, slow not due): a holds, b drifts to 0.6 all the same
  it("drifts the slow group on a step that trains no group", () => {
    const c = coupled({ k: 3 }, { lr: 0.1, momentum: 0.5 });
    c.optimizer.minimize(c.loss); // step 0: both groups
    c.optimizer.minimize(c.loss, false, [c.b]); // step 1: fast group outside varList, slow not due
    expectTensorsClose(c.a, [0.8], { atol: 2e-6, rtol: 1e-6 }, "a after step 1");
    expectTensorsClose(c.b, [0.6], { atol: 2e-6, rtol: 1e-6 }, "b after step 1");
    c.dispose();
  });
});

describe("a slow group mid-cycle (the conformance suite's quadratic has no slow group)", () => {
  // Two coupled quadratics: a (fast) and b (slow), k = 3, so checkpoints fall mid-cycle.
  const problem = () => {
    const a = tf.variable(tf.tensor1d([1, -2]));
    const b = tf.variable(tf.tensor1d([0.5, 3]));
    const loss = () =>
      tf.add(tf.sum(tf.square(tf.sub(a, b))), tf.mul(0.5, tf.sum(tf.square(b)))) as tf.Scalar;
    return { a, b, loss, vars: { a, b }, dispose: () => tf.dispose([a, b]) };
  };
  const make = (vars: Record<string, tf.Variable>, drift = true) =>
    new GroupedOptimizer({
      params: fromVariables(vars),
      groups: fastSlow("a"),
      defaults: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
      rule: multirateRule({ k: 3, drift }),
    });
  const run = (o: GroupedOptimizer, loss: () => tf.Scalar, n: number) => {
    for (let i = 0; i < n; i++) o.minimize(loss);
  };

  it("saves mid-cycle and resumes bit-identically (drift slots included)", async () => {
    const p = problem();
    const optimizer = make(p.vars);
    run(optimizer, p.loss, 4);
    const saved = (await optimizer.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    expect(saved.map((w) => w.name)).toEqual([
      "iter",
      "@slow/drift.count",
      "b/multirate.drift",
      "@slow/everyK.count",
      "b/sgd.momentum",
      "a/sgd.momentum",
    ]);
    const at4 = [p.a.clone(), p.b.clone()];
    run(optimizer, p.loss, 5);
    const straight = [p.a.clone(), p.b.clone()];
    p.a.assign(at4[0]!);
    p.b.assign(at4[1]!);
    const resumed = make(p.vars);
    await resumed.setWeights(saved);
    run(resumed, p.loss, 5);
    expectTensorsEqual(p.a, straight[0]!, "a after resume");
    expectTensorsEqual(p.b, straight[1]!, "b after resume");
    // a checkpoint written before the step counters existed: they start at its iter (4)
    p.a.assign(at4[0]!);
    p.b.assign(at4[1]!);
    const fromOld = make(p.vars);
    await fromOld.setWeights(saved.filter((w) => !w.name.endsWith(".count")));
    run(fromOld, p.loss, 5);
    expectTensorsEqual(p.a, straight[0]!, "a after resume from a checkpoint without counters");
    expectTensorsEqual(p.b, straight[1]!, "b after resume from a checkpoint without counters");
    fromOld.dispose();
    tf.dispose([...at4, ...straight, ...saved.map((w) => w.tensor)]);
    optimizer.dispose();
    resumed.dispose();
    p.dispose();
  });

  it("round-trips its config through GroupedOptimizer.load and tracks the original bit for bit", () => {
    const p1 = problem();
    const p2 = problem();
    const original = make(p1.vars);
    const config = JSON.parse(JSON.stringify(original.getConfig()));
    expect(config.rule).toEqual({
      kind: "multirate",
      periods: { fast: 1, slow: 3 },
      drift: true,
      stepSizeKey: "lr",
      base: { kind: "sgd" },
      rules: {},
    });
    const copy = GroupedOptimizer.load(config, fromVariables(p2.vars));
    expect(copy.getConfig()).toEqual(original.getConfig());
    run(original, p1.loss, 7);
    run(copy, p2.loss, 7);
    expectTensorsEqual(p2.a, p1.a, "a");
    expectTensorsEqual(p2.b, p1.b, "b");
    original.dispose();
    copy.dispose();
    p1.dispose();
    p2.dispose();
  });

  it("leaves a slow variable outside varList bit-identical", () => {
    const p = problem();
    const before = p.b.clone();
    const optimizer = make(p.vars);
    for (let i = 0; i < 7; i++) optimizer.minimize(p.loss, false, [p.a]);
    expectTensorsEqual(p.b, before, "b outside varList");
    optimizer.dispose();
    before.dispose();
    p.dispose();
  });

  it("without drift, the slow group equals everyK(k, sgd with step k lr, phase 0) bit for bit", () => {
    const p1 = problem();
    const p2 = problem();
    const ours = make(p1.vars, false);
    const reference = new GroupedOptimizer({
      params: fromVariables(p2.vars),
      groups: [
        { label: "fast", select: pathGlob("a") },
        { label: "slow", select: everything, hyper: { lr: 0.05 * 3 } },
      ],
      defaults: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
      rule: slowFirst(
        ["slow"],
        partitionRules({ slow: everyK(3, sgd(), { phase: 0 }) }),
        ["fast"],
        partitionRules({ fast: sgd() }),
      ),
    });
    for (let step = 0; step < 9; step++) {
      ours.minimize(p1.loss);
      reference.minimize(p2.loss);
      expectTensorsEqual(p1.a, p2.a, `a after step ${step}`);
      expectTensorsEqual(p1.b, p2.b, `b after step ${step}`);
    }
    ours.dispose();
    reference.dispose();
    p1.dispose();
    p2.dispose();
  });
});

describe("bad input", () => {
  it("k must be an integer >= 1", () => {
    expect(() => multirateRule({ k: 0 })).toThrow(/multirateRule k is 0: it must be an integer >= 1/);
    expect(() => multirateRule({ k: 2.5 })).toThrow(/multirateRule k is 2.5/);
    expect(() => multirateRule({ periods: { fast: 1, slow: -3 } })).toThrow(
      /periods\["slow"\] is -3: it must be an integer >= 1/,
    );
  });

  it("a group both fast and slow, an empty list, or a group with no period is named", () => {
    expect(() => multirateRule({ fast: ["head"], slow: ["head", "body"] })).toThrow(
      /fast and slow overlap: "head" is in both/,
    );
    expect(() => multirateRule({ slow: [] })).toThrow(
      /multirateRule slow is \[\]: it must list at least one/,
    );
    const w = tf.variable(tf.tensor1d([1]));
    expect(
      () =>
        new GroupedOptimizer({
          params: fromVariables({ w }),
          groups: [{ label: "body", select: everything }],
          rule: multirateRule({ k: 2 }),
        }),
    ).toThrow(/Group "body" has no period in multirateRule \(it knows "fast", "slow"\)/);
    w.dispose();
  });
});

// Conformance. Subject 1: w is the fast group (a variable outside varList is slow).
optimizerConformance("multirate (w fast, k = 3)", {
  make: (vars) =>
    new GroupedOptimizer({
      params: fromVariables(vars),
      groups: fastSlow("w"),
      allowEmpty: true,
      defaults: { lr: 0.05, momentum: 0.9 },
      rule: multirateRule({ k: 3 }),
      seed: 3,
    }),
  fromConfig: (config, vars) => GroupedOptimizer.load(config, fromVariables(vars)),
  makeForModel: (model) =>
    new GroupedOptimizer({
      params: collectParams(model),
      groups: fastSlow("head/*"),
      defaults: { lr: 0.1, momentum: 0.9 },
      rule: multirateRule({ k: 3 }),
    }),
  convergence: { steps: 300 },
  equivalences: [
    {
      name: "k = 1 equals sgd({ momentum })",
      make: (vars) =>
        new GroupedOptimizer({
          params: fromVariables(vars),
          groups: fastSlow("w"),
          allowEmpty: true,
          defaults: { lr: 0.05, momentum: 0.9 },
          rule: multirateRule({ k: 1 }),
        }),
      reference: (vars) =>
        new GroupedOptimizer({
          params: fromVariables(vars),
          defaults: { lr: 0.05 },
          rule: sgd({ momentum: 0.9 }),
        }),
      tolerance: "exact",
    },
  ],
});

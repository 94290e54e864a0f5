import * as tf from "@tensorflow/tfjs";
import {
  expectTensorsClose,
  optimizerConformance,
  syntheticBatch,
  tinyBatchNorm,
  tinyDense,
} from "@sam/testing";
import { describe, expect, it } from "vitest";
import { collectParams } from "../params/collectParams";
import { fromVariables } from "../params/fromVariables";
import { everything, hasTag, pathGlob } from "../params/selectors";
import { adam, adamw } from "../rules/adam";
import { fromTfOptimizer } from "../rules/fromTfOptimizer";
import { sgd } from "../rules/sgd";
import type { UpdateRule } from "../rules/updateRule";
import { GroupedOptimizer } from "./groupedOptimizer";

/** Trains two copies of the same seeded model on the same batch and compares every weight after each step. */
function compareOnModel(
  ours: (model: tf.LayersModel) => tf.Optimizer,
  native: () => tf.Optimizer,
  build: (seed: number) => tf.Sequential = tinyBatchNorm,
  steps = 20,
) {
  const a = build(3);
  const b = build(3);
  b.setWeights(a.getWeights());
  const { x, y } = syntheticBatch(8, [a.inputs[0]!.shape[1]!], 3);
  const lossOf = (m: tf.LayersModel) => () =>
    tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  const optA = ours(a);
  const optB = native();
  for (let step = 0; step < steps; step++) {
    optA.minimize(
      lossOf(a),
      false,
      a.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    optB.minimize(
      lossOf(b),
      false,
      b.trainableWeights.map((w) => w.read() as tf.Variable),
    );
  }
  a.getWeights().forEach((w, i) =>
    expectTensorsClose(w, b.getWeights()[i]!, { atol: 1e-6, rtol: 1e-6 }, a.weights[i]!.originalName),
  );
  tf.dispose([x, y]);
  optA.dispose();
  optB.dispose();
}

const grouped = (rule: UpdateRule, hyper: Record<string, number | boolean>) => (model: tf.LayersModel) =>
  new GroupedOptimizer({
    params: collectParams(model),
    groups: [
      { label: "norm", select: hasTag("norm") },
      { label: "rest", select: everything },
    ],
    allowEmpty: true,
    defaults: hyper,
    rule,
  });

describe("GroupedOptimizer equals tf.train over 20 steps on a BatchNorm model (1e-6)", () => {
  it("sgd", () => compareOnModel(grouped(sgd(), { lr: 0.1 }), () => tf.train.sgd(0.1)));
  it("momentum", () =>
    compareOnModel(grouped(sgd(), { lr: 0.1, momentum: 0.9 }), () => tf.train.momentum(0.1, 0.9)));
  it("nesterov", () =>
    compareOnModel(grouped(sgd(), { lr: 0.1, momentum: 0.9, nesterov: true }), () =>
      tf.train.momentum(0.1, 0.9, true),
    ));
  // Adam runs on the model without BatchNorm: a bias right before BatchNorm has a gradient
  // that is pure rounding noise (BN cancels it), and Adam's normalization amplifies noise
  // of 1e-9 into steps of size lr, so no two implementations agree on it.
  it("adam", () =>
    compareOnModel(
      grouped(adam(), { lr: 0.01, epsilon: 1e-7 }),
      () => tf.train.adam(0.01, 0.9, 0.999, 1e-7),
      tinyDense,
    ));
  it("a wrapped tf.train optimizer", () =>
    compareOnModel(
      grouped(
        fromTfOptimizer(() => tf.train.adam(0.01)),
        {},
      ),
      () => tf.train.adam(0.01),
      tinyDense,
    ));
});

describe("per-group hyperparameters (hand-derived two steps)", () => {
  // L(a, b) = 1/2 (a^2 + b^2) with a = [1, 2] in group "fast" (lr 0.5) and b = [4] in group
  // "slow" (lr 0.1, weightDecay 0.5), plain SGD: dL/da = a, dL/db = b.
  //   a: 1 -> 1 - 0.5*1 = 0.5 -> 0.25;   2 -> 1 -> 0.5
  //   b: g' = b + 0.5 b = 1.5 b; b <- b - 0.1 * 1.5 b = 0.85 b: 4 -> 3.4 -> 2.89
  it("applies each group's learning rate and weight decay", () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([4]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ a, b }),
      groups: [
        { label: "fast", select: pathGlob("a"), hyper: { lr: 0.5 } },
        { label: "slow", select: pathGlob("b"), hyper: { lr: 0.1, weightDecay: 0.5 } },
      ],
      rule: sgd(),
    });
    const loss = () => tf.mul(0.5, tf.add(tf.sum(tf.square(a)), tf.sum(tf.square(b)))) as tf.Scalar;
    optimizer.minimize(loss);
    expectTensorsClose(a, [0.5, 1]);
    expectTensorsClose(b, [3.4]);
    optimizer.minimize(loss);
    expectTensorsClose(a, [0.25, 0.5]);
    expectTensorsClose(b, [2.89], { atol: 1e-6, rtol: 1e-6 });
  });

  // Momentum 0.9, lr 0.1 on L = 1/2 w^2 from w = 1: b1 = 1, w1 = 0.9; b2 = 0.9 + 0.9 = 1.8, w2 = 0.9 - 0.18 = 0.72.
  // AdamW, lr 0.1, wd 0.1 from w = 1, g = w: w <- 0.99; m_hat = g, v_hat = g^2 on step 1, so
  // w1 = 0.99 - 0.1 * 0.99/(0.99 + 1e-8) = 0.89 (to 1e-7).
  it("momentum and decoupled weight decay match the formulas", () => {
    const w = tf.variable(tf.tensor1d([1]));
    const m = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { lr: 0.1, momentum: 0.9 },
      rule: sgd(),
    });
    const loss = () => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar;
    m.minimize(loss);
    expectTensorsClose(w, [0.9]);
    m.minimize(loss);
    expectTensorsClose(w, [0.72]);
    const v = tf.variable(tf.tensor1d([1]));
    const aw = new GroupedOptimizer({
      params: fromVariables({ v }),
      defaults: { lr: 0.1, weightDecay: 0.1 },
      rule: adamw(),
    });
    aw.minimize(() => tf.mul(0.5, tf.sum(tf.square(v))) as tf.Scalar);
    expectTensorsClose(v, [0.89], { atol: 1e-6, rtol: 0 });
  });

  it("reads hyperparameters every step, so schedules and direct writes take effect", () => {
    const w = tf.variable(tf.tensor1d([1]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { lr: { schedule: "piecewise", boundaries: [1], values: [0.5, 0.25] } },
      rule: sgd(),
    });
    const loss = () => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar;
    optimizer.minimize(loss); // 1 - 0.5 = 0.5
    optimizer.minimize(loss); // 0.5 - 0.25 * 0.5 = 0.375
    expectTensorsClose(w, [0.375]);
    optimizer.group("all").hyper.lr = 0; // a user's write, read at the next step
    optimizer.minimize(loss);
    expectTensorsClose(w, [0.375]);
  });
});

describe("bad input", () => {
  const w = () => tf.variable(tf.tensor1d([1, 2]));
  const loss = (v: tf.Variable) => () => tf.sum(tf.square(v)) as tf.Scalar;

  it("a negative or non-finite hyperparameter names the group, the name and the value", () => {
    const v = w();
    const neg = new GroupedOptimizer({ params: fromVariables({ v }), defaults: { lr: -0.1 }, rule: sgd() });
    expect(() => neg.minimize(loss(v))).toThrow(
      /Hyperparameter lr of group "all" is -0.1 at step 0: it must be a finite number >= 0/,
    );
    const nan = new GroupedOptimizer({
      params: fromVariables({ v }),
      defaults: { lr: Number.NaN },
      rule: sgd(),
    });
    expect(() => nan.minimize(loss(v))).toThrow(/lr of group "all" is NaN/);
  });

  it("a varList variable outside the optimizer is named", () => {
    const v = w();
    const stray = tf.variable(tf.tensor1d([1]), true, "stray_variable");
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ v }),
      defaults: { lr: 0.1 },
      rule: sgd(),
    });
    expect(() => optimizer.minimize(loss(v), false, [v, stray])).toThrow(
      /varList holds 1 variable\(s\) the optimizer does not own: "stray_variable"/,
    );
  });

  it("a checkpoint of the wrong names or shapes lists every mismatch and writes nothing", async () => {
    const v = w();
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ v }),
      defaults: { lr: 0.1, momentum: 0.9 },
      rule: sgd(),
    });
    optimizer.minimize(loss(v));
    const before = (await optimizer.getWeights()).map((x) => x.tensor.clone());
    const bad = [
      { name: "iter", tensor: tf.scalar(3, "int32") },
      { name: "v/sgd.momentum", tensor: tf.zeros([3]) },
      { name: "u/sgd.momentum", tensor: tf.zeros([2]) },
    ];
    await expect(optimizer.setWeights(bad)).rejects.toThrow(
      /\(2 problem\(s\)\): "v\/sgd.momentum" has shape \[3\] but the optimizer needs \[2\]; unexpected "u\/sgd.momentum"/,
    );
    const after = await optimizer.getWeights();
    expect(optimizer.iterations).toBe(1);
    after.forEach((x, i) => expectTensorsClose(x.tensor, before[i]!));
  });

  it("a function selector makes getConfig fail with an explanation", () => {
    const v = w();
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ v }),
      groups: [{ label: "custom", select: (p) => p.path === "v" }],
      defaults: { lr: 0.1 },
      rule: sgd(),
    });
    expect(() => optimizer.getConfig()).toThrow(
      /Group "custom" selects with a function, which cannot be saved/,
    );
  });

  it("seed 0 and an unbound optimizer are explained", () => {
    expect(() => new GroupedOptimizer({ params: fromVariables({ v: w() }), rule: sgd(), seed: 0 })).toThrow(
      /seed is 0/,
    );
    const unbound = new GroupedOptimizer({ rule: sgd() });
    expect(() => unbound.minimize(loss(w()))).toThrow(
      /not bound to parameters.*bind\(collectParams\(model\)\)/,
    );
  });
});

describe("parameters the loss does not depend on", () => {
  it("get no gradient and stay put, also when the loss depends on none of the active ones", () => {
    const used = tf.variable(tf.tensor1d([1]));
    const unused = tf.variable(tf.tensor1d([5]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ used, unused }),
      defaults: { lr: 0.5, momentum: 0.9 },
      rule: sgd(),
    });
    const loss = () => tf.sum(tf.square(used)) as tf.Scalar;
    optimizer.minimize(loss);
    expectTensorsClose(used, [0]); // 1 - 0.5 * 2
    expectTensorsClose(unused, [5]);
    const value = optimizer.minimize(loss, true, [unused])!; // only `unused` requested: no connection
    expectTensorsClose(value, 0);
    expectTensorsClose(unused, [5]);
  });
});

describe("model.fit", () => {
  it("trains only the selected groups and keeps the rest bit-identical (frozen body)", async () => {
    const model = tinyDense(5);
    model.compile({
      optimizer: new GroupedOptimizer({
        params: collectParams(model),
        groups: [{ label: "head", select: pathGlob("head/*") }],
        onUnmatched: "ignore",
        defaults: { lr: 0.1 },
        rule: sgd(),
      }),
      loss: (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, logits),
    });
    const body = model
      .getLayer("fc1")
      .getWeights()
      .map((t) => t.clone());
    const head = model.getLayer("head").getWeights()[0]!.clone();
    const { x, y } = syntheticBatch(8, [2], 3);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    model
      .getLayer("fc1")
      .getWeights()
      .forEach((t, i) => expect(t.dataSync()).toEqual(body[i]!.dataSync()));
    expect(model.getLayer("head").getWeights()[0]!.dataSync()).not.toEqual(head.dataSync());
  });
});

const conformance = (
  name: string,
  rule: () => UpdateRule,
  hyper: Record<string, number | boolean>,
  steps?: number,
) =>
  optimizerConformance(name, {
    make: (vars) =>
      new GroupedOptimizer({ params: fromVariables(vars), defaults: hyper, rule: rule(), seed: 3 }),
    fromConfig: (config, vars) => GroupedOptimizer.load(config, fromVariables(vars)),
    makeForModel: (model) =>
      new GroupedOptimizer({ params: collectParams(model), defaults: hyper, rule: rule() }),
    ...(steps ? { convergence: { steps } } : {}),
    equivalences: [
      {
        name: "one group equals the same rule split into two groups",
        make: (vars) => new GroupedOptimizer({ params: fromVariables(vars), defaults: hyper, rule: rule() }),
        reference: (vars) =>
          new GroupedOptimizer({
            params: fromVariables(vars),
            groups: [
              { label: "none", select: hasTag("embedding") },
              { label: "all", select: everything },
            ],
            allowEmpty: true,
            defaults: hyper,
            rule: rule(),
          }),
        tolerance: "exact",
      },
    ],
  });

conformance("sgd", () => sgd(), { lr: 0.2 });
conformance("momentum", () => sgd({ momentum: 0.9 }), { lr: 0.05 }, 300);
conformance("nesterov", () => sgd({ momentum: 0.9, nesterov: true }), { lr: 0.05 }, 300);
conformance("adam", () => adam(), { lr: 0.1 }, 400);
conformance("adamw", () => adamw({ weightDecay: 0 }), { lr: 0.1 }, 400);

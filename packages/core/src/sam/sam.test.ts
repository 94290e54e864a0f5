import * as tf from "@tensorflow/tfjs";
import {
  expectNoLeak,
  expectTensorsClose,
  expectTensorsEqual,
  optimizerConformance,
  syntheticBatch,
  tinyBatchNorm,
  tinyDense,
} from "@sam/testing";
import { describe, expect, it } from "vitest";
import { NonFiniteLossError } from "../internal/errors";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { collectParams } from "../params/collectParams";
import { fromVariables } from "../params/fromVariables";
import { hasTag } from "../params/selectors";
import { fromTfOptimizer } from "../rules/fromTfOptimizer";
import { sgd } from "../rules/sgd";
import { chunkedLoss } from "./chunkedLoss";
import { asam, sam, samOn, usam } from "./presets";
import { samOracle } from "./samOracle";

const lossOf = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) => () =>
  tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
const hyper = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

describe("SAM: hand-derived step", () => {
  // L(w) = 1/2 w^T A w with A = diag(1, 4), w0 = (1, 1), rho = 0.5, SGD lr 0.1, epsilon 0.
  //   g = (1, 4), ||g|| = sqrt(17), e = 0.5 (1, 4) / sqrt(17) = (0.121268, 0.485071)
  //   g_SAM = A (w0 + e) = (1.121268, 5.940285)
  //   w1 = w0 - 0.1 g_SAM = (0.887873, 0.405971)
  it("moves w by the gradient at w + rho g/||g||, from w", () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const A = tf.tensor1d([1, 4]);
    const optimizer = sam({
      params: fromVariables({ w }),
      rule: sgd(),
      defaults: { lr: 0.1 },
      rho: 0.5,
      epsilon: 0,
      checkFinite: true, // fills the diagnostics read below
    });
    const loss = optimizer.minimize(() => tf.mul(0.5, tf.sum(tf.mul(A, tf.square(w)))) as tf.Scalar, true)!;
    expectTensorsClose(loss, 2.5); // L(w0), not L(w0 + e)
    expectTensorsClose(w, [0.887873, 0.405971], { atol: 1e-6, rtol: 0 });
    const oracle = optimizer.oracle as ReturnType<typeof samOracle>;
    // L(w0 + e) = 1/2 (1.121268^2 + 4 * 1.485071^2)
    expect(oracle.diagnostics?.perturbedLoss).toBeCloseTo(0.5 * (1.121268 ** 2 + 4 * 1.485071 ** 2), 5);
  });

  // USAM, rho = 0.1: e = 0.1 g = (0.1, 0.4); g_USAM = (1.1, 5.6); w1 = (0.89, 0.44)
  it("USAM scales the raw gradient", () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const A = tf.tensor1d([1, 4]);
    const optimizer = usam({ params: fromVariables({ w }), rule: sgd(), defaults: { lr: 0.1 }, rho: 0.1 });
    optimizer.minimize(() => tf.mul(0.5, tf.sum(tf.mul(A, tf.square(w)))) as tf.Scalar);
    expectTensorsClose(w, [0.89, 0.44], { atol: 1e-6, rtol: 0 });
  });
});

describe("SAM: degenerate equivalences", () => {
  it("rho = 0 equals the base optimizer bit for bit, BatchNorm moving statistics included (custom loop)", () => {
    const a = tinyBatchNorm(4);
    const b = tinyBatchNorm(4);
    b.setWeights(a.getWeights());
    const { x, y } = syntheticBatch(8, [4], 3);
    const base = new GroupedOptimizer({ params: collectParams(a), rule: sgd(), defaults: hyper });
    const zero = sam({ params: collectParams(b), rule: sgd(), defaults: hyper, rho: 0, allowZeroRho: true });
    for (let i = 0; i < 5; i++) {
      base.minimize(lossOf(a, x, y));
      zero.minimize(lossOf(b, x, y));
    }
    a.weights.forEach((wa, i) => expectTensorsEqual(b.weights[i]!.read(), wa.read(), wa.originalName));
  });

  it("rho = 0 equals the base optimizer under model.fit, and both-passes statistics differ", async () => {
    const build = (optimizer: (m: tf.LayersModel) => tf.Optimizer) => {
      const m = tinyBatchNorm(6);
      m.compile({
        optimizer: optimizer(m),
        loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p),
        metrics: ["accuracy"],
      });
      return m;
    };
    const plain = build(
      (m) => new GroupedOptimizer({ params: collectParams(m), rule: sgd(), defaults: hyper }),
    );
    const zero = build((m) =>
      sam({ params: collectParams(m), rule: sgd(), defaults: hyper, rho: 0, allowZeroRho: true }),
    );
    const both = build((m) =>
      sam({
        params: collectParams(m),
        rule: sgd(),
        defaults: hyper,
        rho: 0,
        allowZeroRho: true,
        bnStats: "both-passes",
      }),
    );
    zero.setWeights(plain.getWeights());
    both.setWeights(plain.getWeights());
    const { x, y } = syntheticBatch(16, [4], 3);
    for (const m of [plain, zero, both])
      await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false });
    plain.weights.forEach((w, i) => expectTensorsEqual(zero.weights[i]!.read(), w.read(), w.originalName));
    const movingMean = (m: tf.LayersModel) => m.getLayer("bn1").getWeights()[2]!;
    expect(movingMean(both).dataSync()).not.toEqual(movingMean(plain).dataSync());
  });

  it("any tf.train optimizer can be the base: SAM over tf.train.momentum equals SAM over sgd({ momentum })", () => {
    const a = tinyDense(9);
    const b = tinyDense(9);
    b.setWeights(a.getWeights());
    const { x, y } = syntheticBatch(8, [2], 3);
    const native = sam({
      params: collectParams(a),
      rule: fromTfOptimizer(() => tf.train.momentum(0.1, 0.9)),
      rho: 0.05,
    });
    const ours = sam({
      params: collectParams(b),
      rule: sgd(),
      defaults: { lr: 0.1, momentum: 0.9 },
      rho: 0.05,
    });
    for (let i = 0; i < 5; i++) {
      native.minimize(lossOf(a, x, y));
      ours.minimize(lossOf(b, x, y));
    }
    a.weights.forEach((w, i) =>
      expectTensorsClose(b.weights[i]!.read(), w.read(), { atol: 1e-6, rtol: 1e-6 }, w.originalName),
    );
  });

  it("outside the window SAM takes plain steps", () => {
    const w1 = tf.variable(tf.tensor1d([1, -2]));
    const w2 = tf.variable(tf.tensor1d([1, -2]));
    const loss = (w: tf.Variable) => () => tf.sum(tf.pow(w, 4)) as tf.Scalar;
    const base = new GroupedOptimizer({
      params: fromVariables({ w: w1 }),
      rule: sgd(),
      defaults: { lr: 0.01 },
    });
    const windowed = sam({
      params: fromVariables({ w: w2 }),
      rule: sgd(),
      defaults: { lr: 0.01 },
      rho: 0.1,
      window: { start: 2 },
    });
    base.minimize(loss(w1));
    windowed.minimize(loss(w2));
    base.minimize(loss(w1));
    windowed.minimize(loss(w2));
    expectTensorsEqual(w2, w1, "steps 0-1 (before the window)");
    base.minimize(loss(w1));
    windowed.minimize(loss(w2));
    expect(w2.dataSync()).not.toEqual(w1.dataSync());
  });

  it("the window is a rho schedule: it equals rho piecewise [0, rho] bit for bit, and round-trips", () => {
    const w1 = tf.variable(tf.tensor1d([1, -2]));
    const w2 = tf.variable(tf.tensor1d([1, -2]));
    const loss = (w: tf.Variable) => () => tf.sum(tf.pow(w, 4)) as tf.Scalar;
    const common = { rule: sgd(), defaults: { lr: 0.01 } };
    const windowed = sam({
      params: fromVariables({ w: w1 }),
      ...common,
      rho: 0.1,
      window: { start: 2, end: 4 },
    });
    const scheduled = sam({
      params: fromVariables({ w: w2 }),
      ...common,
      rho: { schedule: "piecewise", boundaries: [2, 4], values: [0, 0.1, 0] },
    });
    for (let i = 0; i < 6; i++) {
      windowed.minimize(loss(w1));
      scheduled.minimize(loss(w2));
      expectTensorsEqual(w1, w2, `step ${i}`);
    }
    expect(windowed.getConfig().oracle).toMatchObject({
      kind: "sam",
      rho: 0.1,
      window: { start: 2, end: 4 },
    });
    windowed.dispose();
    scheduled.dispose();
    tf.dispose([w1, w2]);
  });
});

describe("SAM-ON", () => {
  it("perturbs only the norm parameters, normalized over them alone", () => {
    // One step of SAM-ON equals SAM with perturb = norm; params outside S keep their value during pass 2.
    const model = tinyBatchNorm(2);
    const { x, y } = syntheticBatch(8, [4], 3);
    const params = collectParams(model);
    const norm = params.params.filter((p) => p.tags.has("norm"));
    const seen: number[][] = [];
    const optimizer = samOn({ params, rule: sgd(), defaults: { lr: 0 }, rho: 0.5 });
    const before = params.params.map((p) => p.variable.clone());
    let calls = 0;
    optimizer.minimize(() => {
      calls++;
      if (calls === 2) {
        // in pass 2: weights outside S are untouched, S moved by a vector of length rho
        params.params.forEach((p, i) => {
          if (!p.tags.has("norm")) expect(p.variable.dataSync()).toEqual(before[i]!.dataSync());
        });
        const moved = norm.map((p) => tf.sub(p.variable, before[p.index]!));
        seen.push([tf.sqrt(tf.addN(moved.map((d) => tf.sum(tf.square(d))))).dataSync()[0]!]);
      }
      return lossOf(model, x, y)();
    });
    expect(calls).toBe(2);
    expect(seen[0]![0]).toBeCloseTo(0.5, 5);
    // lr = 0: every weight is back where it was
    params.params.forEach((p, i) => expectTensorsEqual(p.variable, before[i]!, p.path));
  });

  it("differentiates only the norm parameters in its first pass (fewer MatMul kernels than SAM)", async () => {
    const model = tinyBatchNorm(2);
    const { x, y } = syntheticBatch(8, [4], 3);
    const count = async (optimizer: GroupedOptimizer) => {
      optimizer.minimize(lossOf(model, x, y)); // warm-up
      const info = await tf.profile(() => {
        optimizer.minimize(lossOf(model, x, y));
      });
      return info.kernelNames.length === 0
        ? 0
        : info.kernels.filter((k) => k.name === "BatchMatMul" || k.name === "MatMul").length;
    };
    const full = await count(sam({ params: collectParams(model), rule: sgd(), defaults: hyper, rho: 0.05 }));
    const on = await count(samOn({ params: collectParams(model), rule: sgd(), defaults: hyper, rho: 0.5 }));
    // pass 1 of SAM computes dW of fc1 and head and dX of head; SAM-ON only dX of head.
    expect(full - on).toBe(2);
  });

  it("says what to do on a model without normalization layers", () => {
    expect(() =>
      samOn({ params: collectParams(tinyDense()), rule: sgd(), defaults: hyper, rho: 0.5 }),
    ).toThrow(/matched no parameter.*this model has none: use sam\(\) to perturb every parameter/);
  });
});

describe("SAM: bad input", () => {
  const w = () => tf.variable(tf.tensor1d([1, 2]));
  it("rho <= 0 or not finite", () => {
    for (const rho of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sam({ params: fromVariables({ w: w() }), rule: sgd(), rho })).toThrow(
        new RegExp(`SAM rho is ${rho}: it must be a finite number > 0`),
      );
    }
  });

  it("a zero gradient gives no perturbation and no NaN", () => {
    const v = w();
    const optimizer = sam({
      params: fromVariables({ v }),
      rule: sgd(),
      defaults: { lr: 0.1 },
      rho: 0.05,
      epsilon: 0,
    });
    optimizer.minimize(() => tf.mul(0, tf.sum(v)) as tf.Scalar);
    expectTensorsEqual(v, tf.tensor1d([1, 2]));
  });

  it("a NaN loss is a clear error and the weights are restored", () => {
    // sqrt(1.5 - w) is finite at w = 1 and NaN at w + e = 1 + 1 = 2 (the second pass)
    const v = tf.variable(tf.tensor1d([1]));
    const optimizer = sam({ params: fromVariables({ v }), rule: sgd(), defaults: { lr: 0.1 }, rho: 1 });
    const loss = () => tf.neg(tf.sum(tf.sqrt(tf.sub(1.5, v)))) as tf.Scalar;
    expect(() => optimizer.minimize(loss)).toThrow(NonFiniteLossError);
    // the NaN second pass makes the update NaN: the optimizer's one check rejects the step
    expect(() => optimizer.minimize(loss)).toThrow(/Step 0 was rejected: the update is not finite/);
    expectTensorsEqual(v, tf.tensor1d([1]));
    const nan = tf.variable(tf.tensor1d([Number.NaN]));
    const o2 = sam({ params: fromVariables({ nan }), rule: sgd(), rho: 0.1 });
    expect(() => o2.minimize(() => tf.sum(nan) as tf.Scalar)).toThrow(
      /Step 0 was rejected: the loss \(NaN\)/,
    );
  });

  it("weights are restored when the loss throws in the second pass", () => {
    const v = w();
    const optimizer = sam({ params: fromVariables({ v }), rule: sgd(), defaults: { lr: 0.1 }, rho: 0.5 });
    let calls = 0;
    expect(() =>
      optimizer.minimize(() => {
        if (++calls === 2) throw new Error("data loader failed");
        return tf.sum(tf.square(v)) as tf.Scalar;
      }),
    ).toThrow("data loader failed");
    expectTensorsEqual(v, tf.tensor1d([1, 2]));
  });

  it("m that does not divide the batch names the divisors", () => {
    const x = tf.zeros([10, 2]);
    expect(() => chunkedLoss([x], 4, (a) => tf.sum(a!) as tf.Scalar)).toThrow(
      /m-sharpness m is 4, which does not divide the batch of 10 examples. Use one of 1, 2, 5, 10/,
    );
  });
});

describe("m-sharpness", () => {
  it("one chunk equals SAM on the whole batch; several chunks average their own ascent gradients", () => {
    const model = tinyDense(8);
    const { x, y } = syntheticBatch(8, [2], 3);
    const snapshot = model.getWeights().map((t) => t.clone());
    const run = (loss: () => tf.Scalar) => {
      model.setWeights(snapshot);
      const o = sam({ params: collectParams(model), rule: sgd(), defaults: { lr: 0.1 }, rho: 0.05 });
      o.minimize(loss);
      o.dispose();
      return model.getWeights().map((t) => t.clone());
    };
    const single = run(lossOf(model, x, y));
    const oneChunk = run(chunkedLoss([x, y], 8, (cx, cy) => lossOf(model, cx!, cy!)()));
    single.forEach((t, i) => expectTensorsClose(oneChunk[i]!, t, { atol: 1e-7, rtol: 1e-6 }));
    const twoChunks = run(chunkedLoss([x, y], 4, (cx, cy) => lossOf(model, cx!, cy!)()));
    expect(twoChunks[0]!.dataSync()).not.toEqual(single[0]!.dataSync());
  });
});

describe("leaks", () => {
  it("no tensor leaks from the second SAM, ASAM, m-sharpness and SAM-ON step on (BatchNorm model)", async () => {
    const model = tinyBatchNorm(1);
    const { x, y } = syntheticBatch(8, [4], 3);
    for (const optimizer of [
      sam({ params: collectParams(model), rule: sgd(), defaults: hyper, rho: 0.05 }),
      asam({ params: collectParams(model), rule: sgd(), defaults: hyper, rho: 0.5 }),
      samOn({ params: collectParams(model), rule: sgd(), defaults: hyper, rho: 0.5 }),
      samOn({ params: collectParams(model), rule: sgd(), defaults: hyper, rho: 0.5, bnStats: "both-passes" }),
    ]) {
      await expectNoLeak(() => optimizer.minimize(lossOf(model, x, y), true));
      // m-sharpness averages moving statistics over chunks from the first pass only
      if (
        optimizer.getConfig().oracle &&
        (optimizer.getConfig().oracle as { bnStats?: string }).bnStats === "both-passes"
      )
        continue;
      await expectNoLeak(() =>
        optimizer.minimize(
          chunkedLoss([x, y], 4, (cx, cy) => lossOf(model, cx!, cy!)()),
          true,
        ),
      );
      optimizer.dispose();
    }
  });
});

const conformance = (
  name: string,
  make: (vars: Record<string, tf.Variable>) => GroupedOptimizer,
  m: (model: tf.LayersModel) => GroupedOptimizer,
) =>
  optimizerConformance(name, {
    make,
    makeForModel: m,
    fromConfig: (config, vars) => GroupedOptimizer.load(config, fromVariables(vars, { tags: tagsOf(vars) })),
    convergence: { steps: 300 },
    equivalences: [
      {
        name: "rho = 0 is the base rule, bit for bit",
        make: (vars) =>
          sam({
            params: fromVariables(vars),
            rule: sgd({ momentum: 0.5 }),
            defaults: { lr: 0.05 },
            rho: 0,
            allowZeroRho: true,
          }),
        reference: (vars) =>
          new GroupedOptimizer({
            params: fromVariables(vars),
            rule: sgd({ momentum: 0.5 }),
            defaults: { lr: 0.05 },
          }),
        tolerance: "exact",
      },
    ],
  });
// SAM-ON needs a `norm` parameter: the quadratic's `w` is declared one.
const tagsOf = (vars: Record<string, tf.Variable>) =>
  Object.fromEntries(Object.keys(vars).map((k) => [k, k === "w" ? ["norm"] : ["weight"]]));

conformance(
  "sam",
  (vars) =>
    sam({ params: fromVariables(vars), rule: sgd({ momentum: 0.5 }), defaults: { lr: 0.05 }, rho: 0.05 }),
  (model) => sam({ params: collectParams(model), rule: sgd(), defaults: { lr: 0.1 }, rho: 0.05 }),
);
conformance(
  "asam",
  (vars) =>
    asam({
      params: fromVariables(vars, { tags: tagsOf(vars) }),
      rule: sgd({ momentum: 0.5 }),
      defaults: { lr: 0.05 },
      rho: 0.1,
      adaptive: { mode: "elementwise", params: { all: true } },
    }),
  (model) => asam({ params: collectParams(model), rule: sgd(), defaults: { lr: 0.1 }, rho: 0.5 }),
);
conformance(
  "sam-on",
  (vars) =>
    samOn({
      params: fromVariables(vars, { tags: tagsOf(vars) }),
      rule: sgd({ momentum: 0.5 }),
      defaults: { lr: 0.05 },
      rho: 0.05,
    }),
  (model) =>
    new GroupedOptimizer({
      params: collectParams(model),
      rule: sgd(),
      defaults: { lr: 0.1 },
      oracle: samOracle({ rho: 0.05, perturb: hasTag("bias") }),
    }),
);
conformance(
  "usam",
  (vars) =>
    usam({ params: fromVariables(vars), rule: sgd({ momentum: 0.5 }), defaults: { lr: 0.05 }, rho: 0.05 }),
  (model) => usam({ params: collectParams(model), rule: sgd(), defaults: { lr: 0.1 }, rho: 0.05 }),
);

describe("one SAM oracle bound to two optimizers", () => {
  it("keeps a state per optimizer, and each optimizer frees its own", () => {
    const oracle = samOracle({ rho: 0.05 });
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3, 4, 5]));
    const before = tf.memory().numTensors;
    const first = new GroupedOptimizer({ params: fromVariables({ a }), rule: sgd(), oracle });
    const second = new GroupedOptimizer({ params: fromVariables({ b }), rule: sgd(), oracle });
    // both work: each perturbs its own parameters (a 2-vector and a 3-vector)
    first.minimize(() => tf.sum(tf.square(a)) as tf.Scalar);
    second.minimize(() => tf.sum(tf.square(b)) as tf.Scalar);
    first.dispose();
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});

import {
  expectNoLeak,
  expectTensorsClose,
  expectTensorsEqual,
  syntheticBatch,
  tinyBatchNorm,
  tinyDense,
} from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import type { GradientOracle } from "../oracles/gradientOracle";
import { collectParams } from "../params/collectParams";
import { fromVariables } from "../params/fromVariables";
import { hasTag } from "../params/selectors";
import { sgd } from "../rules/sgd";
import { type EsamMask, esamOracle } from "./esamOracle";
import { perSampleLoss } from "./perSampleLoss";
import { samOracle } from "./samOracle";

// Linear regression, l_i = 1/2 (a . x_i + b - y_i)^2 over n = 4 examples, SGD lr 0.1, rho 0.3,
// beta = gamma = 0.5 (k = 2 examples in pass 2), epsilon 0, injected masks.
const X = [
  [1, 0],
  [0, 1],
  [1, 1],
  [2, -1],
];
const Y = [1, -1, 2, 0.5];

/** The float64 replay of ESAM's step (the update rule of esamOracle's TSDoc). */
function esamStep(a: number[], b: number, mask: [number[], number], rho: number, beta: number, k: number) {
  const r = (aa: number[], bb: number, i: number) => aa[0]! * X[i]![0]! + aa[1]! * X[i]![1]! + bb - Y[i]!;
  const loss = (aa: number[], bb: number, i: number) => 0.5 * r(aa, bb, i) ** 2;
  const grad = (aa: number[], bb: number, I: number[]) => {
    const ga = [0, 0];
    let gb = 0;
    for (const i of I) {
      ga[0] += (r(aa, bb, i) * X[i]![0]!) / I.length;
      ga[1] += (r(aa, bb, i) * X[i]![1]!) / I.length;
      gb += r(aa, bb, i) / I.length;
    }
    return { ga, gb };
  };
  const all = [0, 1, 2, 3];
  const { ga, gb } = grad(a, b, all);
  const ma = ga.map((g, j) => g * mask[0][j]!);
  const mb = gb * mask[1];
  const n = Math.hypot(ma[0]!, ma[1]!, mb);
  const ea = ma.map((g) => ((rho / beta) * g) / n);
  const eb = ((rho / beta) * mb) / n;
  const ap = a.map((v, j) => v + ea[j]!);
  const s = all.map((i) => loss(ap, b + eb, i) - loss(a, b, i));
  const top = [...all].sort((i, j) => s[j]! - s[i]!).slice(0, k);
  const g2 = grad(ap, b + eb, top);
  return {
    a: a.map((v, j) => v - 0.1 * g2.ga[j]!),
    b: b - 0.1 * g2.gb,
    loss: all.reduce((acc, i) => acc + loss(a, b, i), 0) / 4,
  };
}

describe("ESAM: hand-derived steps", () => {
  it("drops masked tensors and elements, rescales by 1/beta, and takes pass 2 on the gamma n sharpest examples", () => {
    const a = tf.variable(tf.tensor1d([0.5, -0.2]));
    const b = tf.variable(tf.scalar(0.1));
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y);
    // step 0: b dropped (a tensor mask); step 1: a's second element dropped, b kept
    const masks: EsamMask[][] = [
      [1, 0],
      [[1, 0], 1],
    ];
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ a, b }),
      rule: sgd({ lr: 0.1 }),
      oracle: esamOracle({ rho: 0.3, beta: 0.5, gamma: 0.5, masks, epsilon: 0 }),
    });
    const f = perSampleLoss(
      [x, y],
      (xb, yb) => tf.mul(0.5, tf.square(tf.sub(tf.add(tf.sum(tf.mul(xb!, a), 1), b), yb!))) as tf.Tensor1D,
    );
    let w = { a: [0.5, -0.2], b: 0.1, loss: 0 };
    const jsMasks: [number[], number][] = [
      [[1, 1], 0],
      [[1, 0], 1],
    ];
    for (let t = 0; t < 2; t++) {
      const next = esamStep(w.a, w.b, jsMasks[t]!, 0.3, 0.5, 2);
      const loss = optimizer.minimize(f, true)!;
      expectTensorsClose(loss, next.loss, { atol: 1e-6, rtol: 0 });
      expectTensorsClose(a, next.a, { atol: 1e-6, rtol: 0 });
      expectTensorsClose(b, next.b, { atol: 1e-6, rtol: 0 });
      w = next;
    }
    // the selection matters: pass 2 on all four examples lands elsewhere
    const full = esamStep([0.5, -0.2], 0.1, jsMasks[0]!, 0.3, 0.5, 4);
    expect(Math.abs(full.a[0]! - esamStep([0.5, -0.2], 0.1, jsMasks[0]!, 0.3, 0.5, 2).a[0]!)).toBeGreaterThan(
      1e-3,
    );
    optimizer.dispose();
    tf.dispose([a, b, x, y]);
  });

  it("keeps each tensor (or element) with probability beta, and e has length rho / beta on the kept ones", () => {
    // L = 1/2 sum w^2 at w = 1: g = 1 everywhere; with K the kept set, e = (rho / beta) / sqrt(|K|)
    // on K and 0 elsewhere, so after one SGD step w = 1 - lr (1 + e): K can be read off w.
    const rho = 0.4;
    const beta = 0.5;
    const lr = 0.1;
    const readKept = (values: number[]) => {
      const kept = values.filter((v) => Math.abs(v - (1 - lr)) > 1e-6);
      const e = rho / beta / Math.sqrt(kept.length);
      for (const v of kept) expect(v).toBeCloseTo(1 - lr * (1 + e), 6);
      return kept.length;
    };
    const tensors = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`w${i}`, tf.variable(tf.scalar(1))]),
    );
    const elements = tf.variable(tf.ones([400]));
    for (const [vars, drop] of [
      [tensors, "tensor"],
      [{ elements }, "element"],
    ] as const) {
      const optimizer = new GroupedOptimizer({
        params: fromVariables(vars),
        rule: sgd({ lr }),
        oracle: esamOracle({ rho, beta, gamma: 1, drop }),
      });
      optimizer.minimize(
        () => tf.mul(0.5, tf.addN(Object.values(vars).map((v) => tf.sum(tf.square(v))))) as tf.Scalar,
      );
      const values = Object.values(vars).flatMap((v) => Array.from(v.dataSync()));
      const kept = readKept(values);
      // binomial(n, 1/2): within 4 standard deviations of n/2
      expect(Math.abs(kept - values.length / 2)).toBeLessThan(4 * Math.sqrt(values.length / 4));
      optimizer.dispose();
    }
    tf.dispose([...Object.values(tensors), elements]);
  });

  it("draws from the optimizer's seed: the same seed repeats a run, another seed changes it", () => {
    const run = (seed: number) => {
      const vars = {
        a: tf.variable(tf.tensor1d([1, 2])),
        b: tf.variable(tf.tensor1d([3])),
        c: tf.variable(tf.tensor1d([-1])),
      };
      const optimizer = new GroupedOptimizer({
        params: fromVariables(vars),
        rule: sgd({ lr: 0.1 }),
        seed,
        oracle: esamOracle({ rho: 0.5, beta: 0.5, gamma: 1 }),
      });
      const f = () => tf.addN(Object.values(vars).map((v) => tf.sum(tf.square(tf.sin(v))))) as tf.Scalar;
      for (let i = 0; i < 6; i++) optimizer.minimize(f);
      const out = Object.values(vars).flatMap((v) => Array.from(v.dataSync()));
      optimizer.dispose();
      tf.dispose(Object.values(vars));
      return out;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });
});

const lossOf =
  (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  (xb = x, yb = y) =>
    tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar;
const perSample = (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  perSampleLoss(
    [x, y],
    (xb, yb) =>
      tf.losses.softmaxCrossEntropy(
        yb!,
        model.apply(xb!, { training: true }) as tf.Tensor,
        undefined,
        undefined,
        tf.Reduction.NONE,
      ) as tf.Tensor1D,
  );

describe("ESAM: degenerate equivalence", () => {
  const cases: [string, (seed?: number) => tf.LayersModel, [number, number]][] = [
    ["dense", tinyDense, [8, 2]],
    ["BatchNorm (statistics included)", tinyBatchNorm, [8, 4]],
  ];
  for (const [name, make, [n, d]] of cases) {
    it(`beta = gamma = 1 is SAM, bit for bit (${name}; plain and per-example losses)`, () => {
      const { x, y } = syntheticBatch(n, [d], 3);
      const models = [0, 1, 2].map(() => make(5));
      models.slice(1).forEach((m) => m.setWeights(models[0]!.getWeights()));
      const opt = (m: tf.LayersModel, oracle: GradientOracle) =>
        new GroupedOptimizer({
          params: collectParams(m),
          rule: sgd(),
          defaults: { lr: 0.1, momentum: 0.9 },
          oracle,
        });
      const sam = opt(models[0]!, samOracle({ rho: 0.05 }));
      const esam = opt(models[1]!, esamOracle({ rho: 0.05, beta: 1, gamma: 1 }));
      const esamPerSample = opt(models[2]!, esamOracle({ rho: 0.05, beta: 1, gamma: 1 }));
      for (let i = 0; i < 4; i++) {
        sam.minimize(lossOf(models[0]!, x, y));
        esam.minimize(lossOf(models[1]!, x, y));
        esamPerSample.minimize(perSample(models[2]!, x, y));
      }
      for (const other of models.slice(1)) {
        other.weights.forEach((w, i) =>
          expectTensorsEqual(models[0]!.weights[i]!.read(), w.read(), w.originalName),
        );
      }
    });
  }
});

describe("ESAM: BatchNorm statistics", () => {
  it("with data selection, the moving statistics are those of pass 1 only, as SAM's", () => {
    const { x, y } = syntheticBatch(8, [4], 3);
    const ma = tinyBatchNorm(5);
    const mb = tinyBatchNorm(5);
    mb.setWeights(ma.getWeights());
    const opt = (m: tf.LayersModel, oracle: GradientOracle) =>
      new GroupedOptimizer({ params: collectParams(m), rule: sgd(), defaults: { lr: 0.1 }, oracle });
    opt(ma, samOracle({ rho: 0.05 })).minimize(lossOf(ma, x, y));
    opt(mb, esamOracle({ rho: 0.05, beta: 0.5, gamma: 0.5 })).minimize(perSample(mb, x, y));
    const moving = (m: tf.LayersModel) => m.weights.filter((w) => /moving/.test(w.originalName));
    expect(moving(ma).length).toBe(2);
    moving(mb).forEach((w, i) => expectTensorsEqual(moving(ma)[i]!.read(), w.read(), w.originalName));
    // and they moved: pass 1 updated them
    expect(tf.max(tf.abs(moving(mb)[0]!.read())).dataSync()[0]).toBeGreaterThan(0);
  });
});

describe("ESAM: bad input and leaks", () => {
  it("names the parameter, the value and the fix", () => {
    expect(() => esamOracle({ rho: 0.05, beta: 0 })).toThrow(/ESAM beta is 0: it must be in \(0, 1\]/);
    expect(() => esamOracle({ rho: 0.05, gamma: 1.5 })).toThrow(/ESAM gamma is 1.5/);
    expect(() => esamOracle({ rho: 0.05, drop: "row" as never })).toThrow(/ESAM drop is "row"/);
    const w = tf.variable(tf.tensor1d([1, 2]));
    const f = () => tf.sum(tf.square(w)) as tf.Scalar;
    const selecting = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1 }),
      oracle: esamOracle({ rho: 0.05 }),
    });
    expect(() => selecting.minimize(f)).toThrow(
      /ESAM gamma is 0.5: its data selection needs one loss per example.*perSampleLoss/,
    );
    const masked = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1 }),
      oracle: esamOracle({ rho: 0.05, gamma: 1, masks: [[[1, 1, 0]]] }),
    });
    expect(() => masked.minimize(f)).toThrow(/ESAM masks\[0\] for "w" must be 2 values of 0 or 1/);
    tf.dispose(w);
  });

  it("a step with data selection, dropped tensors and BatchNorm leaks nothing (also SAM-ON)", async () => {
    const model = tinyBatchNorm(2);
    const { x, y } = syntheticBatch(8, [4], 3);
    for (const oracle of [
      esamOracle({ rho: 0.05, beta: 0.5, gamma: 0.5 }),
      esamOracle({ rho: 0.05, beta: 0.5, gamma: 0.5, drop: "element", perturb: hasTag("norm") }),
    ]) {
      const optimizer = new GroupedOptimizer({
        params: collectParams(model),
        rule: sgd(),
        defaults: { lr: 0.1 },
        oracle,
      });
      optimizer.minimize(perSample(model, x, y));
      await expectNoLeak(() => optimizer.minimize(perSample(model, x, y), true));
      optimizer.dispose();
    }
  });
});

import {
  expectNoLeak,
  expectTensorsClose,
  expectTensorsEqual,
  optimizerConformance,
  syntheticBatch,
  tinyBatchNorm,
  tinyDense,
} from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import type { GradientOracle } from "../oracles/gradientOracle";
import { plainGradient } from "../oracles/plainGradient";
import { collectParams } from "../params/collectParams";
import { fromVariables } from "../params/fromVariables";
import { hasTag } from "../params/selectors";
import { adam } from "../rules/adam";
import { sgd } from "../rules/sgd";
import { aeSamOracle } from "./aeSamOracle";
import { chunkedLoss } from "./chunkedLoss";
import { esamOracle } from "./esamOracle";
import { fisherSamOracle } from "./fisherSamOracle";
import { friendlySamOracle } from "./friendlySamOracle";
import { gsamOracle } from "./gsamOracle";
import { lookSamOracle } from "./lookSamOracle";
import { momentumSamOracle } from "./momentumSamOracle";
import { samOracle } from "./samOracle";

// GSAM, LookSAM, momentum-SAM, SAM with gradient accumulation, ESAM, AE-SAM, Friendly-SAM
// and Fisher-SAM (issue 18): degenerate equivalences, leaks, conformance. The first four's
// trajectories against the float64 harness are tools/reference's samVariantsCase.test.ts;
// the hand-derived steps of the last four are in their own test files.

const lossOf =
  (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor) =>
  (xb = x, yb = y) =>
    tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar;
const hyper = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

/** Two copies of a model with the same weights, each with its optimizer from `oracle`. */
function twins(make: (seed: number) => tf.LayersModel, a: GradientOracle, b: GradientOracle) {
  const ma = make(5);
  const mb = make(5);
  mb.setWeights(ma.getWeights());
  const opt = (m: tf.LayersModel, oracle: GradientOracle) =>
    new GroupedOptimizer({ params: collectParams(m), rule: sgd(), defaults: hyper, oracle });
  return { ma, mb, oa: opt(ma, a), ob: opt(mb, b) };
}

describe("SAM variants: degenerate equivalences (custom loop, 5 steps)", () => {
  const { x, y } = syntheticBatch(8, [2], 3);
  const cases: [string, GradientOracle, GradientOracle][] = [
    ["GSAM with alpha = 0 is SAM", gsamOracle({ rho: 0.05, alpha: 0 }), samOracle({ rho: 0.05 })],
    ["LookSAM with k = 1 is SAM", lookSamOracle({ rho: 0.05, k: 1, alpha: 0.7 }), samOracle({ rho: 0.05 })],
    [
      "AE-SAM with c = -Infinity is SAM",
      aeSamOracle({ rho: 0.05, c: Number.NEGATIVE_INFINITY }),
      samOracle({ rho: 0.05 }),
    ],
    [
      "AE-SAM with c = +Infinity is the base rule",
      aeSamOracle({ rho: 0.05, c: Number.POSITIVE_INFINITY }),
      plainGradient(),
    ],
    [
      "Friendly-SAM with sigma = 0 is SAM",
      friendlySamOracle({ rho: 0.05, sigma: 0, lambda: 0.6 }),
      samOracle({ rho: 0.05 }),
    ],
    ["Fisher-SAM with eta = 0 is SAM", fisherSamOracle({ rho: 0.05, eta: 0 }), samOracle({ rho: 0.05 })],
  ];
  for (const [name, a, b] of cases) {
    it(`${name}, bit for bit`, () => {
      const { ma, mb, oa, ob } = twins(tinyDense, a, b);
      for (let i = 0; i < 5; i++) {
        oa.minimize(lossOf(ma, x, y));
        ob.minimize(lossOf(mb, x, y));
      }
      mb.weights.forEach((w, i) => expectTensorsEqual(ma.weights[i]!.read(), w.read(), w.originalName));
    });
  }

  it("accumulation over 1 micro-batch is SAM, bit for bit, BatchNorm statistics included", () => {
    const { x: xb, y: yb } = syntheticBatch(8, [4], 3);
    const { ma, mb, oa, ob } = twins(
      tinyBatchNorm,
      samOracle({ rho: 0.05, accumulation: "global" }),
      samOracle({ rho: 0.05 }),
    );
    for (let i = 0; i < 5; i++) {
      oa.minimize(chunkedLoss([xb, yb], 8, (cx, cy) => lossOf(ma, xb, yb)(cx!, cy!)));
      ob.minimize(lossOf(mb, xb, yb));
    }
    mb.weights.forEach((w, i) => expectTensorsEqual(ma.weights[i]!.read(), w.read(), w.originalName));
  });

  it("'global' accumulation over 4 micro-batches is SAM on the whole batch (no BatchNorm)", () => {
    const { ma, mb, oa, ob } = twins(
      tinyDense,
      samOracle({ rho: 0.05, accumulation: "global" }),
      samOracle({ rho: 0.05 }),
    );
    for (let i = 0; i < 5; i++) {
      oa.minimize(chunkedLoss([x, y], 2, (cx, cy) => lossOf(ma, x, y)(cx!, cy!)));
      ob.minimize(lossOf(mb, x, y));
    }
    mb.weights.forEach((w, i) =>
      expectTensorsClose(ma.weights[i]!.read(), w.read(), { atol: 1e-6, rtol: 1e-5 }),
    );
  });

  it("'per-micro' accumulation is m-sharpness (the chunked default), bit for bit, and differs from 'global'", () => {
    const { ma, mb, oa, ob } = twins(
      tinyDense,
      samOracle({ rho: 0.05, accumulation: "per-micro" }),
      samOracle({ rho: 0.05 }),
    );
    const global = twins(
      tinyDense,
      samOracle({ rho: 0.05, accumulation: "global" }),
      samOracle({ rho: 0.05 }),
    );
    for (let i = 0; i < 3; i++) {
      oa.minimize(chunkedLoss([x, y], 2, (cx, cy) => lossOf(ma, x, y)(cx!, cy!)));
      ob.minimize(chunkedLoss([x, y], 2, (cx, cy) => lossOf(mb, x, y)(cx!, cy!)));
      global.oa.minimize(chunkedLoss([x, y], 2, (cx, cy) => lossOf(global.ma, x, y)(cx!, cy!)));
    }
    mb.weights.forEach((w, i) => expectTensorsEqual(ma.weights[i]!.read(), w.read(), w.originalName));
    const diff = tf.max(tf.abs(tf.sub(ma.weights[0]!.read(), global.ma.weights[0]!.read()))).dataSync()[0]!;
    expect(diff).toBeGreaterThan(1e-6);
  });
});

describe("SAM accumulation under model.fit", () => {
  it("model.fit's loss is one closure over its batch, so 'global' accumulation there is SAM on that batch, bit for bit", async () => {
    const { x, y } = syntheticBatch(16, [2], 3);
    const { ma, mb, oa, ob } = twins(
      tinyDense,
      samOracle({ rho: 0.05, accumulation: "global" }),
      samOracle({ rho: 0.05 }),
    );
    ma.compile({ optimizer: oa, loss: "categoricalCrossentropy" });
    mb.compile({ optimizer: ob, loss: "categoricalCrossentropy" });
    await ma.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    await mb.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    mb.weights.forEach((w, i) => expectTensorsEqual(ma.weights[i]!.read(), w.read(), w.originalName));
  });
});

describe("GSAM and LookSAM: hand-derived steps", () => {
  // L(w) = 1/2 sum A w^2, A = (1, 4), w0 = (1, 1), rho = 0.5, epsilon 0, SGD lr 0.1 (no momentum).
  // SAM's pass: g = A w0 = (1, 4); e = rho g / ||g||; g_p = A (w0 + e) = (1.121268, 5.940285).
  const A = [1, 4];
  const samPass = (w: number[]) => {
    const g = w.map((wi, i) => A[i]! * wi);
    const n = Math.hypot(...g);
    const gp = w.map((wi, i) => A[i]! * (wi + (0.5 * g[i]!) / n));
    return { g, gp };
  };
  const dot = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * b[i]!, 0);
  const run = (oracle: GradientOracle, steps: number) => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const At = tf.tensor1d(A);
    const optimizer = new GroupedOptimizer({ params: fromVariables({ w }), rule: sgd({ lr: 0.1 }), oracle });
    for (let i = 0; i < steps; i++)
      optimizer.minimize(() => tf.mul(0.5, tf.sum(tf.mul(At, tf.square(w)))) as tf.Scalar);
    const out = Array.from(w.dataSync());
    optimizer.dispose();
    tf.dispose([w, At]);
    return out;
  };

  it("GSAM (alpha 0.5) descends on g_p - alpha (g - <g, u> u)", () => {
    const { g, gp } = samPass([1, 1]);
    const np = Math.hypot(...gp) + 1e-12;
    const u = gp.map((x) => x / np);
    const c = dot(g, u);
    const d = gp.map((x, i) => x - 0.5 * (g[i]! - c * u[i]!));
    const expected = d.map((di) => 1 - 0.1 * di);
    expect(expected[0]).not.toBeCloseTo(1 - 0.1 * gp[0]!, 3); // differs from SAM's step
    const actual = run(gsamOracle({ rho: 0.5, alpha: 0.5, epsilon: 0 }), 1);
    actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 6));
  });

  it("LookSAM (k 2, alpha 0.7): a SAM step, then g + alpha ||g|| unit(g_v) with one pass", () => {
    const { g, gp } = samPass([1, 1]);
    const c = dot(gp, g) / (dot(g, g) + 1e-12);
    const gv = gp.map((x, i) => x - c * g[i]!);
    const nv = Math.hypot(...gv);
    const w1 = gp.map((x) => 1 - 0.1 * x);
    const g1 = w1.map((wi, i) => A[i]! * wi);
    const n1 = Math.hypot(...g1);
    const w2 = w1.map((wi, i) => wi - 0.1 * (g1[i]! + (0.7 * n1 * gv[i]!) / nv));
    const actual = run(lookSamOracle({ rho: 0.5, k: 2, alpha: 0.7, epsilon: 0 }), 2);
    actual.forEach((a, i) => expect(a).toBeCloseTo(w2[i]!, 6));
  });
});

describe("momentum-SAM: hand-derived steps", () => {
  // L(w) = 1/2 sum a (w - c)^2, a = (1, 3), c = (1, -2), w0 = 0; SGD lr 0.1, mu = 0.9, rho 0.5.
  // step 0: v = 0 so e = 0: g0 = a (w0 - c) = (-1, 6); b1 = g0; w1 = w0 - 0.1 b1 = (0.1, -0.6)
  // step 1: e = -0.5 b1 / ||b1|| = -0.5 (-1, 6) / sqrt(37); g1 = a (w1 + e - c);
  //         b2 = 0.9 b1 + g1; w2 = w1 - 0.1 b2 (computed below in float64)
  it("steps against the momentum buffer, from w, with the loss at w + e", () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const a = [1, 3];
    const c = [1, -2];
    const at = tf.tensor1d(a);
    const ct = tf.tensor1d(c);
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1, momentum: 0.9 }),
      oracle: momentumSamOracle({ rho: 0.5 }),
    });
    const f = () => tf.mul(0.5, tf.sum(tf.mul(at, tf.square(tf.sub(w, ct))))) as tf.Scalar;
    optimizer.minimize(f);
    expectTensorsClose(w, [0.1, -0.6], { atol: 1e-7, rtol: 0 });
    const b1 = [-1, 6];
    const n = Math.hypot(...b1);
    const w1 = [0.1, -0.6];
    const p = w1.map((wi, i) => wi - (0.5 * b1[i]!) / n);
    const g1 = p.map((pi, i) => a[i]! * (pi - c[i]!));
    const w2 = w1.map((wi, i) => wi - 0.1 * (0.9 * b1[i]! + g1[i]!));
    const loss = optimizer.minimize(f, true)!;
    expectTensorsClose(w, w2, { atol: 1e-6, rtol: 0 });
    expectTensorsClose(
      loss,
      p.reduce((s, pi, i) => s + 0.5 * a[i]! * (pi - c[i]!) ** 2, 0),
      { atol: 1e-6, rtol: 0 },
    );
    optimizer.dispose();
    tf.dispose([w, at, ct]);
  });

  it("reads Adam's first moment with buffer 'm', and refuses a rule without the buffer, naming it", () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const f = () => tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar;
    const withAdam = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: adam({ lr: 0.01 }),
      oracle: momentumSamOracle({ rho: 0.1, buffer: "m" }),
    });
    withAdam.minimize(f);
    withAdam.minimize(f);
    const noMomentum = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1 }),
      oracle: momentumSamOracle({ rho: 0.1 }),
    });
    expect(() => noMomentum.minimize(f)).toThrow(
      /no "momentum" buffer of parameter "w".*sgd\(\{ momentum: 0.9 \}\)/,
    );
    tf.dispose(w);
  });
});

describe("SAM variants: bad input", () => {
  it("names the parameter, the value and the fix", () => {
    expect(() => gsamOracle({ rho: 0.05, alpha: -1 })).toThrow(
      /GSAM alpha is -1: it must be a finite number >= 0/,
    );
    expect(() => lookSamOracle({ rho: 0.05, k: 0, alpha: 0.7 })).toThrow(
      /LookSAM k is 0: it must be an integer >= 1/,
    );
    expect(() => lookSamOracle({ rho: 0.05, k: 5, alpha: Number.NaN })).toThrow(/LookSAM alpha is NaN/);
    expect(() => samOracle({ rho: 0.05, accumulation: "sum" as never })).toThrow(/SAM accumulation is "sum"/);
    expect(() => momentumSamOracle({ rho: -1 })).toThrow(/SAM rho is -1/);
  });
});

describe("SAM variants: no leak with BatchNorm, micro-batches and SAM-ON", () => {
  it("every variant's step leaks nothing", async () => {
    const model = tinyBatchNorm(2);
    const { x, y } = syntheticBatch(8, [4], 3);
    const oracles: GradientOracle[] = [
      gsamOracle({ rho: 0.05, alpha: 0.3, perturb: hasTag("norm") }),
      lookSamOracle({ rho: 0.05, k: 2, alpha: 0.7, perturb: hasTag("norm") }),
      momentumSamOracle({ rho: 0.3, perturb: hasTag("norm") }),
      samOracle({ rho: 0.05, accumulation: "global" }),
      esamOracle({ rho: 0.05, beta: 0.5, gamma: 1, perturb: hasTag("norm") }),
      aeSamOracle({ rho: 0.05, c: 0, perturb: hasTag("norm") }), // SAM and base steps both
      friendlySamOracle({ rho: 0.05, perturb: hasTag("norm"), accumulation: "global" }),
      fisherSamOracle({ rho: 0.05, perturb: hasTag("norm") }),
    ];
    for (const oracle of oracles) {
      const optimizer = new GroupedOptimizer({
        params: collectParams(model),
        rule: sgd(),
        defaults: hyper,
        oracle,
      });
      optimizer.minimize(lossOf(model, x, y));
      await expectNoLeak(() => optimizer.minimize(lossOf(model, x, y), true));
      await expectNoLeak(() => optimizer.minimize(lossOf(model, x, y), true)); // LookSAM's reuse step
      await expectNoLeak(() =>
        optimizer.minimize(
          chunkedLoss([x, y], 4, (cx, cy) => lossOf(model, x, y)(cx!, cy!)),
          true,
        ),
      );
      optimizer.dispose();
    }
  });
});

const tagsOf = (vars: Record<string, tf.Variable>) =>
  Object.fromEntries(Object.keys(vars).map((k) => [k, k === "w" ? ["norm"] : ["weight"]]));
const conformance = (name: string, oracle: () => GradientOracle, rule = () => sgd({ momentum: 0.5 })) =>
  optimizerConformance(name, {
    make: (vars) =>
      new GroupedOptimizer({
        params: fromVariables(vars, { tags: tagsOf(vars) }),
        rule: rule(),
        defaults: { lr: 0.05 },
        oracle: oracle(),
      }),
    makeForModel: (model) =>
      new GroupedOptimizer({
        params: collectParams(model),
        rule: rule(),
        defaults: { lr: 0.05 },
        oracle: oracle(),
      }),
    fromConfig: (config, vars) => GroupedOptimizer.load(config, fromVariables(vars, { tags: tagsOf(vars) })),
    convergence: { steps: 300, loss: 5e-3 },
  });
conformance("GSAM", () => gsamOracle({ rho: 0.05, alpha: 0.3 }));
conformance("LookSAM (k = 5)", () => lookSamOracle({ rho: 0.05, k: 5, alpha: 0.7 }));
conformance("momentum-SAM", () => momentumSamOracle({ rho: 0.02 }));
conformance("SAM, 'global' accumulation", () => samOracle({ rho: 0.05, accumulation: "global" }));
conformance("ESAM (beta = 0.5, gamma = 1: model.fit's loss is one scalar)", () =>
  esamOracle({ rho: 0.05, beta: 0.5, gamma: 1 }),
);
conformance("AE-SAM", () => aeSamOracle({ rho: 0.05, c: 0 }));
conformance("Friendly-SAM", () => friendlySamOracle({ rho: 0.05 }));
conformance("Fisher-SAM", () => fisherSamOracle({ rho: 0.05 }));

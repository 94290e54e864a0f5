import { asam, collectParams, fromVariables, type samOracle, sgd } from "@sam/core";
import { expectNoLeak, expectTensorsClose } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { matrixWithSpectrum, quadraticProblem } from "../internal/testing/quadraticProblem";
import { reluNet } from "../internal/testing/reluNet";
import { adaptiveSharpness } from "./adaptiveSharpness";
import { averageSharpness } from "./averageSharpness";
import { mSharpness } from "./mSharpness";
import { scaleInvariantSharpness } from "./scaleInvariantSharpness";
import { worstCaseSharpness } from "./worstCaseSharpness";

beforeAll(async () => {
  await tf.setBackend(process.env.SAM_BACKEND ?? "cpu"); // pnpm test:tensorflow: the chosen backend
});

const A4 = matrixWithSpectrum([10, 5, 1, 0.1], 8);

describe("worst-case and average-case sharpness on a quadratic", () => {
  it("the l2 ascent at the minimum converges to rho^2 lambda_max / 2 = 0.05", () => {
    const q = quadraticProblem(A4, 0); // start at the minimum
    const r = worstCaseSharpness(q.params, q.loss, { rho: 0.1, steps: 30 });
    expect(r.loss).toBeCloseTo(0, 6);
    expect(Math.abs(r.sharpness - 0.05) / 0.05).toBeLessThan(2e-3);
    expect(r.perturbationNorm).toBeCloseTo(0.1, 4);
    q.dispose();
  });

  it("the SAM one-step proxy away from the minimum equals L(w + rho g/||g||) - L(w)", () => {
    const q = quadraticProblem(A4, 0.5);
    const r = worstCaseSharpness(q.params, q.loss, { rho: 0.05 });
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(q.loss, [q.a, q.b]);
      return [grads[q.a.name]!, grads[q.b.name]!];
    });
    const n = Math.hypot(...g.flatMap((t) => Array.from(t.dataSync())));
    q.a.assign(tf.tidy(() => tf.add(q.a, tf.mul(g[0]!, 0.05 / n))));
    q.b.assign(tf.tidy(() => tf.add(q.b, tf.mul(g[1]!, 0.05 / n))));
    const expected = q.loss().dataSync()[0]! - r.loss;
    expect(r.sharpness).toBeCloseTo(expected, 5);
    tf.dispose(g);
    q.dispose();
  });

  it("the l-inf ascent stays in the box", () => {
    const q = quadraticProblem(A4, 0);
    const r = worstCaseSharpness(q.params, q.loss, { rho: 0.01, norm: "linf", steps: 10 });
    expect(r.perturbationNorm).toBeLessThanOrEqual(0.01 * Math.sqrt(4) + 1e-6);
    expect(r.sharpness).toBeGreaterThan(0);
    q.dispose();
  });

  it("average-case sharpness matches sigma^2 tr(A) / 2 = 0.0805 within 4 standard errors", () => {
    const q = quadraticProblem(A4, 0.2);
    const r = averageSharpness(q.params, q.loss, { sigma: 0.1, samples: 200 });
    expect(Math.abs(r.sharpness - 0.0805)).toBeLessThan(4 * r.standardError);
    expect(r.standardError).toBeLessThan(0.01);
    q.dispose();
  });

  it("rejects a bad radius and names the fix", () => {
    const q = quadraticProblem(A4);
    expect(() => worstCaseSharpness(q.params, q.loss, { rho: -1 })).toThrow(
      /rho is -1: it must be a positive radius/,
    );
    expect(() => averageSharpness(q.params, q.loss, { sigma: 0 })).toThrow(/sigma is 0/);
    q.dispose();
  });
});

describe("invariance under a (3, 1/3) rescaling of a ReLU network", () => {
  it("ASAM (eta = 0) is unchanged; the SAM proxy is not", () => {
    const a = reluNet(1);
    const b = reluNet(3);
    expect(b.loss().dataSync()[0]).toBeCloseTo(a.loss().dataSync()[0]!, 5);
    const asamA = adaptiveSharpness(a.params, a.loss, { rho: 0.05, eta: 0 }).sharpness;
    const asamB = adaptiveSharpness(b.params, b.loss, { rho: 0.05, eta: 0 }).sharpness;
    expect(Math.abs(asamA - asamB) / asamA).toBeLessThan(1e-3);
    const samA = worstCaseSharpness(a.params, a.loss, { rho: 0.05 }).sharpness;
    const samB = worstCaseSharpness(b.params, b.loss, { rho: 0.05 }).sharpness;
    expect(Math.abs(samA - samB) / samA).toBeGreaterThan(0.2);
    a.dispose();
    b.dispose();
  });
});

describe("ASAM's metric on a model with biases and BatchNorm", () => {
  // dense(6) -> BatchNorm -> dense(3): T = |w| + eta on kernels and gamma, 1 on biases and beta,
  // as asam() (and Kwon et al.'s code) perturb. The K = 1 adaptive sharpness is then exactly
  // L(w + e_asam) - L(w), which asam's oracle reports as perturbedLoss - loss.
  function model() {
    const m = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 6,
          inputShape: [4],
          kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
        }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
      ],
    });
    // Non-trivial biases and shifts, so that their metric matters.
    for (const w of m.trainableWeights) {
      if (w.name.endsWith("bias") || w.name.endsWith("beta")) w.write(tf.fill(w.shape as number[], 0.7));
      if (w.name.endsWith("gamma")) w.write(tf.fill(w.shape as number[], 1.3));
    }
    return m;
  }
  const x = tf.tensor2d(
    Array.from({ length: 40 }, (_, i) => Math.sin(1.7 * i)),
    [10, 4],
  );
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], "int32"), 3);

  it("equals the loss rise of asam()'s own perturbation (eta 0.01, rho 0.5)", () => {
    const m = model();
    const params = collectParams(m);
    expect(params.params.filter((p) => p.tags.has("bias")).length).toBe(2);
    expect(params.params.filter((p) => p.tags.has("norm-shift")).length).toBe(1);
    const lossFn = () =>
      tf.tidy(
        () => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: false }) as tf.Tensor) as tf.Scalar,
      );
    const measured = adaptiveSharpness(params, lossFn, { rho: 0.5, eta: 0.01 });
    const optimizer = asam({
      params,
      rule: sgd(),
      defaults: { lr: 0.01 },
      rho: 0.5,
      eta: 0.01,
      checkFinite: true,
    });
    optimizer.minimize(lossFn, true)?.dispose();
    const d = (optimizer.oracle as ReturnType<typeof samOracle>).diagnostics!;
    expect(d.loss).toBeCloseTo(measured.loss, 6);
    expect(measured.sharpness).toBeGreaterThan(0.01);
    expect(Math.abs(measured.sharpness - (d.perturbedLoss - d.loss))).toBeLessThan(
      1e-5 * measured.sharpness + 1e-7,
    );
    optimizer.dispose();
    m.dispose();
  });

  it("T on every tensor (adaptive.params: { all: true }) is another measure", () => {
    const m = model();
    const params = collectParams(m);
    const lossFn = () =>
      tf.tidy(
        () => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: false }) as tf.Tensor) as tf.Scalar,
      );
    const asamLike = worstCaseSharpness(params, lossFn, { rho: 0.5, adaptive: { eta: 0.01 } }).sharpness;
    const all = worstCaseSharpness(params, lossFn, {
      rho: 0.5,
      adaptive: { eta: 0.01, params: { all: true } },
    });
    expect(Math.abs(all.sharpness - asamLike) / asamLike).toBeGreaterThan(0.05);
    m.dispose();
  });
});

describe("m-sharpness", () => {
  it("with m = n equals the worst-case sharpness of the whole batch; chunks are averaged", async () => {
    const w = tf.variable(tf.tensor2d([0.5, -0.3, 0.2, 0.8], [2, 2]));
    const params = fromVariables({ w });
    const x = tf.tensor2d([1, 2, -1, 0.5, 0.3, -0.7, 2, 1], [4, 2]);
    const y = tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1], [4, 2]);
    const lossOn = (xb: tf.Tensor, yb: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(yb, tf.matMul(xb, w)) as tf.Scalar;
    const whole = worstCaseSharpness(params, () => lossOn(x, y), { rho: 0.1 }).sharpness;
    const m4 = await mSharpness({ params, lossOn, x, y, m: 4, rho: 0.1 });
    expect(m4.sharpness).toBeCloseTo(whole, 6);
    const m2 = await mSharpness({ params, lossOn, x, y, m: 3, rho: 0.1 });
    expect(m2.chunkSizes).toEqual([3, 1]);
    expect(m2.sharpness).toBeCloseTo((m2.perChunk[0]! + m2.perChunk[1]!) / 2, 8);
    await expectNoLeak(() => mSharpness({ params, lossOn, x, y, m: 2, rho: 0.1, steps: 2 }), {
      label: "mSharpness",
    });
    tf.dispose([w, x, y]);
  });
});

describe("scale-invariant sharpness", () => {
  const toy = (theta: number[]) => {
    const t = tf.variable(tf.tensor1d(theta));
    const loss = () =>
      tf.tidy(() => {
        const u = tf.div(t, tf.norm(t));
        const p = tf.mul(4, tf.mul(u.slice(0, 1), u.slice(1, 1)));
        return tf.mul(0.5, tf.sum(tf.square(tf.sub(p, 1)))) as tf.Scalar;
      });
    return { t, params: fromVariables({ theta: t }), loss };
  };

  it("is the same at theta and 3 theta, and equals ||theta||^2 lambda_max(H(theta)) on the toy", async () => {
    const a = toy([0.96, 0.27, 0.05]);
    const b = toy([2.88, 0.81, 0.15]);
    const before = a.t.clone();
    const sa = await scaleInvariantSharpness(a.params, a.loss);
    const sb = await scaleInvariantSharpness(b.params, b.loss);
    expect(sa.sphericalSharpness).toBeCloseTo(sb.sphericalSharpness, 2);
    expect(sb.normsSquared[0]! / sa.normsSquared[0]!).toBeCloseTo(9, 4);
    // The spec's starting point: spherical sharpness about 11.47.
    expect(sa.sphericalSharpness).toBeGreaterThan(11.3);
    expect(sa.sphericalSharpness).toBeLessThan(11.7);
    expectTensorsClose(a.t, before, { atol: 0, rtol: 0 }, "weights restored");
    tf.dispose([a.t, b.t, before]);
  });

  it("leaks no tensor (all sharpness measures)", async () => {
    const q = quadraticProblem(A4, 0.1);
    await expectNoLeak(() => worstCaseSharpness(q.params, q.loss, { rho: 0.1, steps: 3 }), {
      label: "worstCase",
    });
    await expectNoLeak(() => adaptiveSharpness(q.params, q.loss, { rho: 0.1 }), { label: "adaptive" });
    await expectNoLeak(() => averageSharpness(q.params, q.loss, { sigma: 0.1, samples: 3 }), {
      label: "average",
    });
    await expectNoLeak(() => scaleInvariantSharpness(q.params, q.loss, { steps: 3 }), {
      label: "scaleInvariant",
    });
    q.dispose();
  });
});

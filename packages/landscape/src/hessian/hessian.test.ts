import { createRng, fromVariables, hasTag } from "@sam/core";
import { expectNoLeak, expectTensorsClose } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { matrixWithSpectrum, quadraticProblem } from "../internal/testing/quadraticProblem";
import { hessianOperator } from "./hessianOperator";
import { hessianVectorProduct } from "./hessianVectorProduct";
import { hutchinsonTrace } from "./hutchinsonTrace";
import { lanczos } from "./lanczos";
import { matrixOperator } from "./linearOperator";
import { powerIteration } from "./powerIteration";
import { spectralDensity } from "./spectralDensity";

beforeAll(async () => {
  await tf.setBackend(process.env.SAM_BACKEND ?? "cpu"); // pnpm test:tensorflow: the chosen backend
});

// The spec's test matrix: lambda_1 = 10, lambda_2 = 5, the other 48 in [0.01, 1].
const rng = createRng(3);
const SPECTRUM = [10, 5, ...Array.from({ length: 48 }, () => 0.01 + 0.99 * rng.uniform())];
const A50 = matrixWithSpectrum(SPECTRUM, 11);
const TRACE50 = SPECTRUM.reduce((a, b) => a + b, 0);
const FROB2 = SPECTRUM.reduce((a, b) => a + b * b, 0);

describe("Krylov methods on explicit matrices", () => {
  it("power iteration reaches 1e-9 relative error on lambda_1 = 10, lambda_2 = 5 in float64", async () => {
    const r = await powerIteration(matrixOperator(A50), { maxIter: 40, tol: 1e-14 });
    expect(Math.abs(r.values[0]! - 10) / 10).toBeLessThan(1e-9);
  });

  it("power iteration finds the eigenvalue of largest magnitude (-12 before 10)", async () => {
    const m = matrixWithSpectrum([-12, 10, 1, 0.5], 2);
    const r = await powerIteration(matrixOperator(m), { maxIter: 500, tol: 1e-12 });
    expect(r.values[0]).toBeCloseTo(-12, 6);
  });

  it("power iteration with deflation and Lanczos give the top two eigenvalues", async () => {
    const p = await powerIteration(matrixOperator(A50), { k: 2, maxIter: 200, tol: 1e-12 });
    expect(p.values[0]).toBeCloseTo(10, 8);
    expect(p.values[1]).toBeCloseTo(5, 6);
    expect(p.converged).toEqual([true, true]);
    const l = await lanczos(matrixOperator(A50), { steps: 20, k: 2 });
    expect(l.values[0]).toBeCloseTo(10, 10);
    expect(l.values[1]).toBeCloseTo(5, 10);
  });

  it("Hutchinson: [[2,1],[1,3]] gives probes of exactly 3 or 7 (mean 5)", async () => {
    const r = await hutchinsonTrace(
      matrixOperator([
        [2, 1],
        [1, 3],
      ]),
      { maxIter: 400, tol: 0 },
    );
    expect(new Set(r.samples)).toEqual(new Set([3, 7]));
    expect(Math.abs(r.trace - 5)).toBeLessThan(4 * r.standardError);
    // Rademacher single-probe variance 2 (||A||_F^2 - sum A_ii^2) = 4.
    const mean = r.trace;
    const variance = r.samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (r.samples.length - 1);
    expect(variance).toBeGreaterThan(3.4);
    expect(variance).toBeLessThan(4.6);
  });

  it("Hutchinson is exact on a diagonal matrix with Rademacher probes", async () => {
    const diag = SPECTRUM.map((l, i) => SPECTRUM.map((_, j) => (i === j ? l : 0)));
    const r = await hutchinsonTrace(matrixOperator(diag), { maxIter: 5, minIter: 5 });
    for (const s of r.samples) expect(s).toBeCloseTo(TRACE50, 10);
  });

  it("SLQ: weights sum to 1, Ritz values are the spectrum when m >= distinct eigenvalues", async () => {
    const m = matrixWithSpectrum([6, 6, 3, 3, 3, 1, 1, 1], 4); // 3 distinct eigenvalues
    const r = await spectralDensity(matrixOperator(m), { steps: 8, runs: 3 });
    for (const run of r.runs) {
      expect(run.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      const top = run.nodes.filter((_, i) => run.weights[i]! > 1e-8);
      expect(top.map((x) => Number(x.toFixed(8)))).toEqual([6, 3, 1]);
    }
    const dx = r.grid[1]! - r.grid[0]!;
    expect(r.density.reduce((a, b) => a + b, 0) * dx).toBeCloseTo(1, 6);
    expect(r.traceEstimate).toBeGreaterThan(0);
  });
});

describe("SLQ density on a wide spectrum (outliers over 100-1037)", () => {
  // Diagonal operator: a bulk of 60 eigenvalues in [0, 1] and four outliers. A Rademacher probe
  // normalised gives every eigenvalue the weight 1/64 exactly, so each outlier's true mass is 1/64.
  const OUTLIERS = [100, 251.3, 517.7, 1037];
  const diag = [...Array.from({ length: 60 }, (_, i) => i / 60), ...OUTLIERS];
  const op = matrixOperator(diag.map((l, i) => diag.map((_, j) => (i === j ? l : 0))));
  const massNear = (r: { grid: number[]; density: number[] }, x: number, halfWidth: number) => {
    const dx = r.grid[1]! - r.grid[0]!;
    return r.grid.reduce((s, g, i) => (Math.abs(g - x) <= halfWidth ? s + r.density[i]! * dx : s), 0);
  };

  it("the default grid gives each outlier its mass 1/64 within 1e-3 relative (a 1000-point grid aliases)", async () => {
    const r = await spectralDensity(op, { steps: 64 });
    const sigma = Math.sqrt(r.sigmaSquared);
    expect(r.grid[1]! - r.grid[0]!).toBeLessThanOrEqual(sigma / 4 + 1e-12);
    for (const x of OUTLIERS) expect(Math.abs(massNear(r, x, 8 * sigma) * 64 - 1)).toBeLessThan(1e-3);
    // The old default: 1000 points, spacing ~1.04 against sigma ~0.10: masses 0 to several times 1/64.
    const coarse = await spectralDensity(op, { steps: 64, gridSize: 1000 });
    const worst = Math.max(...OUTLIERS.map((x) => Math.abs(massNear(coarse, x, 8 * sigma) * 64 - 1)));
    expect(worst).toBeGreaterThan(0.5);
  });

  it("refuses a default grid past 4e6 points and names sigmaSquared", async () => {
    await expect(spectralDensity(op, { steps: 64, sigmaSquared: 1e-12 })).rejects.toThrow(
      /needs \d+ grid points.*pass a larger sigmaSquared/,
    );
    await expect(spectralDensity(op, { steps: 64, sigmaSquared: -1 })).rejects.toThrow(/sigmaSquared is -1/);
  });
});

describe("Hessian of a tfjs quadratic with known Hessian", () => {
  it("top eigenvalues exact to 1e-4 (power iteration and Lanczos), trace within 4 standard errors", async () => {
    const q = quadraticProblem(A50);
    const op = hessianOperator(q.params, q.loss);
    expect(op.dim).toBe(50);
    const p = await powerIteration(op, { k: 2, maxIter: 100, tol: 1e-7 });
    expect(Math.abs(p.values[0]! - 10)).toBeLessThan(1e-4 * 10);
    expect(Math.abs(p.values[1]! - 5)).toBeLessThan(1e-4 * 5);
    const l = await lanczos(op, { steps: 20, k: 2 });
    expect(Math.abs(l.values[0]! - 10)).toBeLessThan(1e-4 * 10);
    expect(Math.abs(l.values[1]! - 5)).toBeLessThan(1e-4 * 5);
    const t = await hutchinsonTrace(op, { maxIter: 100, tol: 0 });
    // Rademacher standard error of 100 probes: sqrt(2 (||A||_F^2 - sum A_ii^2) / 100) ~ 1.5
    expect(t.standardError).toBeGreaterThan(0.5);
    expect(t.standardError).toBeLessThan(3);
    expect(Math.abs(t.trace - TRACE50)).toBeLessThan(4 * t.standardError);
    expect(FROB2).toBeGreaterThan(0);
    op.dispose();
    q.dispose();
  });

  it("the trace of a diagonal quadratic is exact to 1e-4 (every Rademacher probe is exact)", async () => {
    const diag = SPECTRUM.slice(0, 10).map((l, i) => SPECTRUM.slice(0, 10).map((_, j) => (i === j ? l : 0)));
    const q = quadraticProblem(diag);
    const op = hessianOperator(q.params, q.loss);
    const t = await hutchinsonTrace(op, { maxIter: 3, minIter: 3 });
    const exact = SPECTRUM.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(Math.abs(t.trace - exact)).toBeLessThan(1e-4 * exact);
    op.dispose();
    q.dispose();
  });

  it("restricting to a group gives the diagonal block of H", async () => {
    const m = [
      [4, 1, 0],
      [1, 2, 0.5],
      [0, 0.5, 7],
    ];
    const q = quadraticProblem(m); // a = w[0], b = w[1..2]
    const op = hessianOperator(q.params, q.loss, { select: { path: "b" } });
    expect(op.dim).toBe(2);
    const l = await lanczos(op, { steps: 2, k: 2 });
    const block = [
      [2, 0.5],
      [0.5, 7],
    ];
    const disc = Math.sqrt(((block[0]![0]! - block[1]![1]!) / 2) ** 2 + 0.25);
    expect(l.values[0]).toBeCloseTo(4.5 + disc, 3);
    expect(l.values[1]).toBeCloseTo(4.5 - disc, 3);
    op.dispose();
    q.dispose();
  });

  it("an empty selection is an error naming the selector", () => {
    const q = quadraticProblem([[1]]);
    expect(() => hessianOperator(q.params, q.loss, { select: hasTag("norm") })).toThrow(
      /selects no parameter/,
    );
    q.dispose();
  });
});

describe("HVP methods", () => {
  const tanhProblem = () => {
    const r = createRng(9);
    const x = tf.tensor2d(
      Array.from({ length: 24 }, () => r.normal()),
      [8, 3],
    );
    const y = tf.tensor2d(
      Array.from({ length: 16 }, () => r.normal()),
      [8, 2],
    );
    const w = tf.variable(
      tf.tensor2d(
        Array.from({ length: 6 }, () => r.normal()),
        [3, 2],
      ),
    );
    const loss = () => tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.tanh(tf.matMul(x, w)), y)))) as tf.Scalar;
    return { params: fromVariables({ w }), loss, dispose: () => tf.dispose([x, y, w]) };
  };

  it("finite differences agree with the closed-form HVP of a tanh model", () => {
    const p = tanhProblem();
    const w = p.params.get("w").variable;
    const v = tf.tensor2d([0.3, -0.2, 0.5, 0.1, -0.4, 0.25], [3, 2]);
    const [hv] = hessianVectorProduct(p.params.params, p.loss, [v]);
    const hvExact = referenceTanhHvp(w, v);
    expectTensorsClose(hv!, hvExact, { atol: 2e-3, rtol: 2e-3 }, "fd HVP");
    tf.dispose([v, hv!]);
    p.dispose();
  });

  it("'exact' (nested tf.grad) is right on a quadratic and refused through tanh by the self-check", () => {
    const q = quadraticProblem(A50.slice(0, 4).map((r) => r.slice(0, 4)));
    const op = hessianOperator(q.params, q.loss, { method: "exact" });
    expect(op.method).toBe("exact");
    op.dispose();
    q.dispose();
    const p = tanhProblem();
    expect(() => hessianOperator(p.params, p.loss, { method: "exact" })).toThrow(/Gauss-Newton|fd/);
    p.dispose();
  });

  it("restores the weights exactly when the loss throws", () => {
    const q = quadraticProblem(A50.slice(0, 4).map((r) => r.slice(0, 4)));
    const before = [q.a.clone(), q.b.clone()];
    let calls = 0;
    const failing = () => {
      calls++;
      if (calls === 2) throw new Error("boom");
      return q.loss();
    };
    const op = hessianOperator(q.params, failing);
    expect(() => op.apply(new Float64Array([1, 0, 0, 0]))).toThrow("boom");
    expectTensorsClose(q.a, before[0]!, { atol: 0, rtol: 0 });
    expectTensorsClose(q.b, before[1]!, { atol: 0, rtol: 0 });
    op.dispose();
    tf.dispose(before);
    q.dispose();
  });

  it("leaks no tensor: hessianVectorProduct, operator.apply, power iteration, Lanczos, Hutchinson, SLQ", async () => {
    const q = quadraticProblem(A50.slice(0, 6).map((r) => r.slice(0, 6)));
    const v = [tf.ones([3]), tf.ones([3, 1])];
    await expectNoLeak(() => hessianVectorProduct(q.params.params, q.loss, v), {
      label: "hessianVectorProduct",
    });
    const op = hessianOperator(q.params, q.loss);
    await expectNoLeak(() => op.apply(new Float64Array(6).fill(1)), { label: "apply" });
    await expectNoLeak(() => powerIteration(op, { maxIter: 3 }), { label: "powerIteration" });
    await expectNoLeak(() => lanczos(op, { steps: 3 }), { label: "lanczos" });
    await expectNoLeak(() => hutchinsonTrace(op, { maxIter: 3 }), { label: "hutchinsonTrace" });
    await expectNoLeak(() => spectralDensity(op, { steps: 3, gridSize: 10 }), { label: "spectralDensity" });
    await expectNoLeak(
      () => {
        const o = hessianOperator(q.params, q.loss);
        o.apply(new Float64Array(6).fill(1));
        o.dispose();
      },
      { label: "hessianOperator" },
    );
    op.dispose();
    tf.dispose(v);
    q.dispose();
  });
});

/** H v of L = 1/2 ||tanh(X W) - Y||^2 in float64: (J^T J + sum r_i d^2 f_i) v, from the closed form. */
function referenceTanhHvp(w: tf.Tensor, v: tf.Tensor): number[] {
  const r = createRng(9);
  const X = Array.from({ length: 8 }, () => Array.from({ length: 3 }, () => r.normal()));
  const Y = Array.from({ length: 8 }, () => Array.from({ length: 2 }, () => r.normal()));
  const W = Array.from(w.dataSync());
  const V = Array.from(v.dataSync());
  // z = X W, t = tanh z; L = 1/2 sum (t - y)^2; dL/dz = (t - y)(1 - t^2);
  // d2L/dz2 (diagonal) = (1 - t^2)^2 + (t - y)(-2 t (1 - t^2)); H v = X^T [d2L/dz2 * (X V)].
  const out = new Array(6).fill(0);
  for (let n = 0; n < 8; n++) {
    for (let k = 0; k < 2; k++) {
      let z = 0;
      let xv = 0;
      for (let i = 0; i < 3; i++) {
        z += X[n]![i]! * W[i * 2 + k]!;
        xv += X[n]![i]! * V[i * 2 + k]!;
      }
      const t = Math.tanh(z);
      const s = 1 - t * t;
      const d2 = s * s + (t - Y[n]![k]!) * (-2 * t * s);
      for (let i = 0; i < 3; i++) out[i * 2 + k] += X[n]![i]! * d2 * xv;
    }
  }
  return out;
}

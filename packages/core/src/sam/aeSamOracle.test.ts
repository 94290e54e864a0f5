import { expectTensorsClose } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { fromVariables } from "../params/fromVariables";
import { hasTag } from "../params/selectors";
import { linear } from "../rules/schedule";
import { sgd } from "../rules/sgd";
import { aeSamOracle } from "./aeSamOracle";

// L(w) = 1/2 sum A w^2, A = (1, 4), w0 = (1, 1); SGD lr 0.1, rho 0.5, epsilon 0, delta 0.9, c 0.5.
const A = [1, 4];
const grad = (w: number[]) => w.map((wi, i) => A[i]! * wi);
const sq = (v: number[]) => v.reduce((s, x) => s + x * x, 0);

describe("AE-SAM: hand-derived steps", () => {
  it("takes SAM where ||g||^2 >= mu + c sigma (step 0) and the base step where not (step 1), mu and sigma^2 updated first", async () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const At = tf.tensor1d(A);
    const oracle = aeSamOracle({ rho: 0.5, c: 0.5, epsilon: 0 });
    const optimizer = new GroupedOptimizer({ params: fromVariables({ w }), rule: sgd({ lr: 0.1 }), oracle });
    const f = () => tf.mul(0.5, tf.sum(tf.mul(At, tf.square(w)))) as tf.Scalar;
    let wj = [1, 1];
    let mu = 0;
    let v = 0;
    const expectedSam = [true, false];
    for (let t = 0; t < 2; t++) {
      const g = grad(wj);
      const n = sq(g);
      mu = 0.9 * mu + 0.1 * n;
      v = 0.9 * v + 0.1 * (n - mu) ** 2;
      const sam = n >= mu + 0.5 * Math.sqrt(v);
      expect(sam).toBe(expectedSam[t]); // step 0: 17 >= 4.12; step 1: 3.43 < 4.18
      const d = sam ? grad(wj.map((wi, i) => wi + (0.5 * g[i]!) / Math.sqrt(n))) : g;
      wj = wj.map((wi, i) => wi - 0.1 * d[i]!);
      optimizer.minimize(f);
      expect(oracle.lastSam).toBe(sam);
      expectTensorsClose(w, wj, { atol: 1e-6, rtol: 0 });
      const slots = Object.fromEntries((await optimizer.getWeights()).map((s) => [s.name, s.tensor]));
      expectTensorsClose(slots["@oracle/aesam.mu"]!, mu, { atol: 1e-5, rtol: 1e-6 });
      expectTensorsClose(slots["@oracle/aesam.var"]!, v, { atol: 1e-4, rtol: 1e-6 });
    }
    optimizer.dispose();
    tf.dispose([w, At]);
  });

  it("reads c_t = lambda1 t / T + lambda2 (1 - t / T) at step t as the schedule linear(lambda2, lambda1, T)", async () => {
    // L(w) = 0.6 w1 + 0.8 w2: g = (0.6, 0.8) every step, n = ||g||^2 = 1; delta = 0.5, mu_{-1} = sigma^2_{-1} = 0.
    // mu_t = 1 - 0.5^(t+1) = 0.5, 0.75, 0.875, 0.9375
    // sigma^2_t = 0.5 sigma^2_{t-1} + 0.5 (1 - mu_t)^2 = 0.125, 0.09375, 0.0546875, 0.029296875
    // a SAM step iff (n - mu_t) / sigma_t >= c_t, where (n - mu_t) / sigma_t = 1.414, 0.816, 0.535, 0.365.
    // lambda2 = 2 (t = 0), lambda1 = -2 (t = T = 4): c_t = 2, 1, 0, -1 -> base, base, SAM, SAM.
    // (The reverse reading, lambda1 at t = 0, would give c_t = -2, -1, 0, 1 -> SAM, SAM, SAM, base.)
    const w = tf.variable(tf.tensor1d([1, 1]));
    const cVec = tf.tensor1d([0.6, 0.8]);
    const oracle = aeSamOracle({ rho: 0.5, c: linear(2, -2, 4), delta: 0.5 });
    const optimizer = new GroupedOptimizer({ params: fromVariables({ w }), rule: sgd({ lr: 0.1 }), oracle });
    const f = () => tf.sum(tf.mul(cVec, w)) as tf.Scalar;
    const expected = [
      { sam: false, mu: 0.5, variance: 0.125 },
      { sam: false, mu: 0.75, variance: 0.09375 },
      { sam: true, mu: 0.875, variance: 0.0546875 },
      { sam: true, mu: 0.9375, variance: 0.029296875 },
    ];
    for (const [t, e] of expected.entries()) {
      optimizer.minimize(f);
      expect(oracle.lastSam, `step ${t}`).toBe(e.sam);
      const slots = Object.fromEntries((await optimizer.getWeights()).map((s) => [s.name, s.tensor]));
      expectTensorsClose(slots["@oracle/aesam.mu"]!, e.mu, { atol: 1e-6, rtol: 0 });
      expectTensorsClose(slots["@oracle/aesam.var"]!, e.variance, { atol: 1e-6, rtol: 0 });
      // the gradient is the same at w and at w + e: every step moves w by -lr g
      expectTensorsClose(w, [1 - 0.06 * (t + 1), 1 - 0.08 * (t + 1)], { atol: 1e-6, rtol: 0 });
    }
    optimizer.dispose();
    tf.dispose([w, cVec]);
  });

  it("tests ||g||^2 over every active parameter but normalises e over the perturbed set S only", async () => {
    // L = 1/2 (a1^2 + 4 a2^2) + b^2, a = (1, 1), b = 1, S = {a} (tagged 'norm'); lr 0.1, rho 0.5, c 0.5, delta 0.9.
    // step 0: g_a = (1, 4), g_b = 2, n = 1 + 16 + 4 = 21 (not ||g_S||^2 = 17): mu = 2.1, sigma^2 = 0.1 * 18.9^2 = 35.721,
    //         21 >= 2.1 + 0.5 * 5.977 -> SAM; e_a = 0.5 (1, 4) / sqrt(17) (not / sqrt(21)), e_b = 0;
    //         a <- a - 0.1 A (a + e_a) = (0.88787, 0.40597), b <- b - 0.1 * 2b = 0.8.
    // step 1: g_a = (0.88787, 1.62389), g_b = 1.6, n = 5.98532: mu = 2.48853, sigma^2 = 33.37166,
    //         5.985 >= 2.489 + 0.5 * 5.777 = 5.377 -> SAM (with n over S only, 3.425 < 4.18 would be a base step).
    const a = tf.variable(tf.tensor1d([1, 1]));
    const b = tf.variable(tf.tensor1d([1]));
    const At = tf.tensor1d(A);
    const oracle = aeSamOracle({ rho: 0.5, c: 0.5, epsilon: 0, perturb: hasTag("norm") });
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ a, b }, { tags: { a: ["norm"], b: ["weight"] } }),
      rule: sgd({ lr: 0.1 }),
      oracle,
    });
    const f = () =>
      tf.add(tf.mul(0.5, tf.sum(tf.mul(At, tf.square(a)))), tf.sum(tf.square(b))) as tf.Scalar;
    let aj = [1, 1];
    let bj = 1;
    let mu = 0;
    let v = 0;
    const expectedMu = [2.1, 2.48853246];
    for (let t = 0; t < 2; t++) {
      const ga = grad(aj);
      const n = sq(ga) + (2 * bj) ** 2;
      mu = 0.9 * mu + 0.1 * n;
      v = 0.9 * v + 0.1 * (n - mu) ** 2;
      expect(mu).toBeCloseTo(expectedMu[t]!, 7);
      expect(n >= mu + 0.5 * Math.sqrt(v)).toBe(true);
      const nS = Math.sqrt(sq(ga));
      const da = grad(aj.map((ai, i) => ai + (0.5 * ga[i]!) / nS));
      aj = aj.map((ai, i) => ai - 0.1 * da[i]!);
      bj -= 0.1 * 2 * bj;
      optimizer.minimize(f);
      expect(oracle.lastSam).toBe(true);
      expectTensorsClose(a, aj, { atol: 1e-6, rtol: 0 });
      expectTensorsClose(b, [bj], { atol: 1e-6, rtol: 0 });
      const slots = Object.fromEntries((await optimizer.getWeights()).map((s) => [s.name, s.tensor]));
      expectTensorsClose(slots["@oracle/aesam.mu"]!, mu, { atol: 1e-5, rtol: 1e-6 });
      expectTensorsClose(slots["@oracle/aesam.var"]!, v, { atol: 1e-4, rtol: 1e-6 });
    }
    expectTensorsClose(a, [0.77509922, 0.06810005], { atol: 1e-6, rtol: 0 });
    optimizer.dispose();
    tf.dispose([a, b, At]);
  });

  it("refuses a missing c or a delta outside [0, 1), naming them", () => {
    expect(() => aeSamOracle({ rho: 0.05 } as never)).toThrow(/AE-SAM needs c/);
    expect(() => aeSamOracle({ rho: 0.05, c: 0, delta: 1 })).toThrow(
      /AE-SAM delta is 1: it must be in \[0, 1\)/,
    );
    expect(() => aeSamOracle({ rho: -1, c: 0 })).toThrow(/SAM rho is -1/);
  });

  it("saves c = -Infinity in its config and loads it back", () => {
    const w = tf.variable(tf.tensor1d([1, 1]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      rule: sgd({ lr: 0.1 }),
      oracle: aeSamOracle({ rho: 0.05, c: Number.NEGATIVE_INFINITY }),
    });
    const config = JSON.parse(JSON.stringify(optimizer.getConfig()));
    const loaded = GroupedOptimizer.load(config, fromVariables({ w }));
    expect((loaded.getConfig() as { oracle: { c: unknown } }).oracle.c).toBe("-Infinity");
    optimizer.dispose();
    loaded.dispose();
    tf.dispose(w);
  });
});

import { expectTensorsClose } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { fromVariables } from "../params/fromVariables";
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

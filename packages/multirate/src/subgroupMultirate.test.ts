import { collectParams, everyK, fromVariables, GroupedOptimizer, sgd, type UpdateRule } from "@sam/core";
import { expectTensorsClose, optimizerConformance } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import "./registerMultirateRules";
import { type SubgroupMultirateOptions, subgroupMultirate } from "./subgroupMultirate";

const make = (vars: Record<string, tf.Variable>, options: SubgroupMultirateOptions, seed = 3) =>
  new GroupedOptimizer({
    params: fromVariables(vars),
    defaults: { lr: 0.05 },
    rule: subgroupMultirate({ momentum: 0.9, ...options }),
    seed,
  });

describe("subgroupMultirate", () => {
  // L = 1/2 sum(w^2), so g = w. With slowFraction 1 every weight is slow, k = 2, lr = 0.1, mu = 0.5:
  // step 0 (sync): p = 0 + 1 = 1, w = 1 - 0.1 = 0.9
  // step 1 (slow weights keep p = 1): w = 0.9 - 0.1 = 0.8
  // step 2 (sync): p = 0.5 + 0.8 = 1.3, w = 0.8 - 0.13 = 0.67;  step 3: w = 0.67 - 0.13 = 0.54
  // Without drift: step 0 jumps by k lr p = 0.2: w = 0.8; step 1 holds; step 2: p = 0.5 + 0.8 = 1.3, w = 0.8 - 0.26 = 0.54.
  /** w (three equal entries, from 1) after each of `steps` steps of `rule` on L = 1/2 sum(w^2), lr 0.1, mu 0.5. */
  const walk = (rule: UpdateRule, steps: number) => {
    const w = tf.variable(tf.ones([3]));
    const optimizer = new GroupedOptimizer({
      params: fromVariables({ w }),
      defaults: { lr: 0.1, momentum: 0.5 },
      rule,
    });
    const seen: number[][] = [];
    for (let step = 0; step < steps; step++) {
      optimizer.minimize(() => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar);
      seen.push([...w.dataSync()]);
    }
    optimizer.dispose();
    w.dispose();
    return seen;
  };
  const close = (got: number[][], expected: number[], what: string) =>
    expectTensorsClose(
      tf.tensor(got.flat()),
      expected.flatMap((e) => [e, e, e]),
      { atol: 1e-6, rtol: 1e-6 },
      what,
    );

  it("matches hand-derived values with every weight slow, with and without drift ('freeze')", () => {
    close(
      walk(subgroupMultirate({ k: 2, slowFraction: 1, maskSlow: "freeze" }), 4),
      [0.9, 0.8, 0.67, 0.54],
      "drift",
    );
    close(
      walk(subgroupMultirate({ k: 2, slowFraction: 1, drift: false, maskSlow: "freeze" }), 4),
      [0.8, 0.8, 0.54, 0.54],
      "no drift",
    );
  });

  // 'zero' (default) with every weight slow: the same W, but w reads 0 after the first step of each
  // cycle and W again after its last.
  it("'zero' holds the slow weights at 0 during the cycle and restores them at its last step", () => {
    close(walk(subgroupMultirate({ k: 2, slowFraction: 1 }), 4), [0, 0.8, 0, 0.54], "drift");
    close(walk(subgroupMultirate({ k: 2, slowFraction: 1, drift: false }), 4), [0, 0.8, 0, 0.54], "no drift");
  });

  // L = 1/2 (w0 + w1)^2, g = (s, s) with s = w0 + w1; w = (1, 1), k = 2, lr 0.1, mu 0.5, drift,
  // 'alternating' with seed 4, whose subset is B = (1, 0): w0 slow in cycle 0, w1 slow in cycle 1.
  // 'zero':
  //  0 sync: s = 2, p = (2, 2), W = (0.8, 0.8), w = (0, 0.8)
  //  1 fast: s = 0.8 (w0 reads 0), p = (2, 0.5*2 + 0.8) = (2, 1.8), W = (0.6, 0.62) = w (restored)
  //  2 sync: s = 1.22, p = (2.22, 2.12), W = (0.378, 0.408), M = (0, 1): w = (0.378, 0)
  //  3 fast: s = 0.378, p = (0.5*2.22 + 0.378, 2.12) = (1.488, 2.12), W = w = (0.2292, 0.196)
  // 'freeze':
  //  0: p = (2, 2), w = (0.8, 0.8);  1: s = 1.6, p = (2, 2.6), w = (0.6, 0.54)
  //  2: s = 1.14, p = (2.14, 2.44), w = (0.386, 0.296);  3: s = 0.682, p = (1.752, 2.44), w = (0.2108, 0.052)
  it("the fast weights see the slow ones at 0 ('zero') or in place ('freeze'): hand-derived", async () => {
    const run = async (maskSlow: "zero" | "freeze") => {
      const w = tf.variable(tf.ones([2]));
      const optimizer = new GroupedOptimizer({
        params: fromVariables({ w }),
        defaults: { lr: 0.1, momentum: 0.5 },
        rule: subgroupMultirate({ k: 2, slowFraction: 0.5, partition: "alternating", maskSlow }),
        seed: 4,
      });
      const seen: number[] = [];
      for (let step = 0; step < 4; step++) {
        optimizer.minimize(() => tf.mul(0.5, tf.square(tf.sum(w))) as tf.Scalar);
        if (step === 0) {
          const subset = (await optimizer.getWeights()).find(
            (x) => x.name === "w/multirateSubgroups.subset",
          )!;
          expect([...subset.tensor.dataSync()]).toEqual([1, 0]);
        }
        seen.push(...w.dataSync());
      }
      optimizer.dispose();
      w.dispose();
      return seen;
    };
    const opts = { atol: 1e-6, rtol: 1e-6 };
    expectTensorsClose(
      tf.tensor(await run("zero")),
      [0, 0.8, 0.6, 0.62, 0.378, 0, 0.2292, 0.196],
      opts,
      "zero",
    );
    expectTensorsClose(
      tf.tensor(await run("freeze")),
      [0.8, 0.8, 0.6, 0.54, 0.386, 0.296, 0.2108, 0.052],
      opts,
      "freeze",
    );
  });

  // The cycle is the rule's own: under everyK(2, ...) the rule runs at optimizer steps 1, 3, 5, 7,
  // which are its steps 0-3, so it walks the same hand-derived values as above.
  it("counts its cycle in its own steps (under everyK)", () => {
    const seen = walk(everyK(2, subgroupMultirate({ k: 2, slowFraction: 1, maskSlow: "freeze" })), 8);
    close(seen, [1, 0.9, 0.9, 0.8, 0.8, 0.67, 0.67, 0.54], "everyK(2, subgroupMultirate)");
  });

  it("draws a fresh subset each cycle ('random') or swaps two halves ('alternating')", async () => {
    const subsets = async (partition: "random" | "alternating") => {
      const w = tf.variable(tf.ones([64]));
      const optimizer = make({ w }, { k: 2, partition });
      const seen: number[][] = [];
      for (let i = 0; i < 6; i++) {
        optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
        const slot = (await optimizer.getWeights()).find((x) => x.name === "w/multirateSubgroups.subset")!;
        seen.push([...slot.tensor.dataSync()]);
      }
      optimizer.dispose();
      w.dispose();
      return seen;
    };
    const random = await subsets("random");
    expect(random[0]).toEqual(random[1]); // fixed within a cycle
    expect(random[2]).not.toEqual(random[0]); // redrawn at the next synchronisation
    const share = random[0]!.reduce((a, b) => a + b, 0) / 64;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.7);
    const alternating = await subsets("alternating");
    expect(alternating[4]).toEqual(alternating[0]); // drawn once; the mask is B, then 1 - B
  });

  it("rejects bad options with the value and the fix", () => {
    expect(() => subgroupMultirate({ k: 0 })).toThrow(/subgroupMultirate k is 0/);
    expect(() => subgroupMultirate({ slowFraction: 1.5 })).toThrow(
      /slowFraction is 1.5: it must be a number in \[0, 1\]/,
    );
    expect(() => subgroupMultirate({ partition: "blocks" as never })).toThrow(/partition is "blocks"/);
    expect(() => subgroupMultirate({ maskSlow: "drop" as never })).toThrow(/maskSlow is "drop": use "zero"/);
  });
});

optimizerConformance("subgroupMultirate (random, k = 3)", {
  make: (vars) => make(vars, { k: 3 }),
  fromConfig: (config, vars) => GroupedOptimizer.load(config, fromVariables(vars)),
  makeForModel: (model) =>
    new GroupedOptimizer({
      params: collectParams(model),
      defaults: { lr: 0.1 },
      rule: subgroupMultirate({ k: 3, partition: "alternating" }),
    }),
  convergence: { steps: 300 },
  equivalences: [
    {
      name: "k = 1 equals sgd({ momentum })",
      make: (vars) => make(vars, { k: 1 }),
      reference: (vars) =>
        new GroupedOptimizer({
          params: fromVariables(vars),
          defaults: { lr: 0.05 },
          rule: sgd({ momentum: 0.9 }),
        }),
      tolerance: "exact",
    },
    {
      name: "slowFraction 0 equals sgd({ momentum })",
      make: (vars) => make(vars, { k: 4, slowFraction: 0 }),
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

optimizerConformance("subgroupMultirate (random, k = 3, maskSlow 'freeze')", {
  make: (vars) => make(vars, { k: 3, maskSlow: "freeze" }),
  fromConfig: (config, vars) => GroupedOptimizer.load(config, fromVariables(vars)),
  makeForModel: (model) =>
    new GroupedOptimizer({
      params: collectParams(model),
      defaults: { lr: 0.1 },
      rule: subgroupMultirate({ k: 3, maskSlow: "freeze" }),
    }),
  convergence: { steps: 300 },
});

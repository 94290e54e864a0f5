import * as tf from "@tensorflow/tfjs";
import { syntheticBatch } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import type { GradientOracle } from "../oracles/gradientOracle";
import { collectParams } from "../params/collectParams";
import { sgd } from "../rules/sgd";
import { chunkedLoss } from "./chunkedLoss";
import { aeSamOracle } from "./aeSamOracle";
import { esamOracle } from "./esamOracle";
import { gsamOracle } from "./gsamOracle";
import { momentumSamOracle } from "./momentumSamOracle";
import { samOracle } from "./samOracle";

/**
 * Live tensor bytes (tf.memory().numBytes: a clone sharing its data counts again, which here
 * counts the same in both steps: the optimizer's rollback clones of w, and SAM's snapshot
 * buffers, which hold w0 while the variables hold w + e).
 */
const liveBytes = () => tf.memory().numBytes;

/** 32-256-BN-256-10: 77,322 trainable parameters (309 kB a copy), moving statistics included. */
function model(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 256, inputShape: [32], kernelInitializer: init(1), activation: "relu" }),
      tf.layers.batchNormalization({ momentum: 0.9 }),
      tf.layers.dense({ units: 256, kernelInitializer: init(2), activation: "relu" }),
      tf.layers.dense({ units: 10, kernelInitializer: init(3) }),
    ],
  });
}

/**
 * One step with `oracle` (null: plain SGD) on a chunked loss of 16 examples in `chunks`
 * micro-batches; returns the live bytes at every call of the per-chunk loss, in call order,
 * and the bytes of one copy of the parameters.
 */
function liveAtLossCalls(oracle: GradientOracle | null, chunks: number) {
  const net = model();
  const params = collectParams(net);
  const { x, y } = syntheticBatch(16, [32], 10);
  const optimizer = new GroupedOptimizer({
    params,
    defaults: { lr: 0.1, momentum: 0.9 },
    rule: sgd(),
    ...(oracle ? { oracle } : {}),
  });
  const seen: number[] = [];
  const loss = chunkedLoss([x, y], 16 / chunks, (cx, cy) => {
    seen.push(liveBytes());
    return tf.losses.softmaxCrossEntropy(cy!, net.apply(cx!, { training: true }) as tf.Tensor) as tf.Scalar;
  });
  optimizer.minimize(loss);
  const copy = params.params.reduce((b, p) => b + p.variable.size * 4, 0);
  optimizer.dispose();
  tf.dispose([x, y]);
  net.dispose();
  return { seen, copy };
}

// What does not scale with the parameters: scalars (losses, rho, the norm), the moving
// statistics' snapshot (2 x 256 floats) and the micro-batch slices. 16 kB, 5 % of a copy.
const SLACK = 16384;

describe("SAM step memory: at most one copy of the parameters above SGD", () => {
  // SGD's live set at its loss call: w (shared with the rollback clones), the batch, the
  // optimizer state. SAM's at its second pass: the same with w + e in the variables, plus w0
  // (the snapshot buffers, shared with the rollback clones): one copy. The first-pass
  // gradient g1, the norm's squares and e itself are freed before the second pass; keeping
  // them would add three copies.
  it("the second pass of a SAM step holds w0 and nothing else extra", () => {
    const base = liveAtLossCalls(null, 1);
    const s = liveAtLossCalls(samOracle({ rho: 0.05 }), 1);
    expect(s.seen).toHaveLength(2);
    const extra = s.seen[1]! - base.seen[0]!;
    expect(s.copy).toBe(77322 * 4);
    expect(extra).toBeGreaterThanOrEqual(s.copy); // w0 is there (the restore is bit-exact)
    expect(extra).toBeLessThanOrEqual(s.copy + SLACK);
    // pass 1: the snapshot's handles only (they share the weights' data until pass 2)
    expect(s.seen[0]! - base.seen[0]!).toBeLessThanOrEqual(s.copy + SLACK);
  });

  it("with global accumulation over 4 micro-batches: w0 and the gradient accumulator", () => {
    const base = liveAtLossCalls(null, 4);
    const s = liveAtLossCalls(samOracle({ rho: 0.05, accumulation: "global" }), 4);
    expect(s.seen).toHaveLength(8);
    const extras = s.seen.map((b) => b - base.seen[0]!);
    // pass 1: the snapshot's handles, and from the second micro-batch on the first-pass
    // gradient accumulator
    expect(extras[0]!).toBeLessThanOrEqual(s.copy + SLACK);
    for (const extra of extras.slice(1, 4)) expect(extra).toBeLessThanOrEqual(2 * s.copy + SLACK);
    const secondPass = extras.slice(4);
    // first micro-batch of pass 2: w0 only; later ones: w0 and the sum of the pass-2 gradients
    expect(secondPass[0]!).toBeLessThanOrEqual(s.copy + SLACK);
    for (const extra of secondPass.slice(1)) expect(extra).toBeLessThanOrEqual(2 * s.copy + SLACK);
  });

  it("GSAM keeps g1 for its update: one more copy, no more", () => {
    const base = liveAtLossCalls(null, 1);
    const s = liveAtLossCalls(gsamOracle({ rho: 0.05, alpha: 0.1 }), 1);
    const extra = s.seen[1]! - base.seen[0]!;
    expect(extra).toBeLessThanOrEqual(2 * s.copy + SLACK);
  });

  it("AE-SAM (always SAM), ESAM (every tensor kept) and momentum-SAM: w0 only", () => {
    const base = liveAtLossCalls(null, 1);
    const cases: [GradientOracle, number][] = [
      [aeSamOracle({ rho: 0.05, c: Number.NEGATIVE_INFINITY }), 1],
      [esamOracle({ rho: 0.05, beta: 1, gamma: 1 }), 1],
      [momentumSamOracle({ rho: 0.05 }), 0],
    ];
    for (const [oracle, secondCall] of cases) {
      const s = liveAtLossCalls(oracle, 1);
      expect(s.seen[secondCall]! - base.seen[0]!).toBeLessThanOrEqual(s.copy + SLACK);
    }
  });
});

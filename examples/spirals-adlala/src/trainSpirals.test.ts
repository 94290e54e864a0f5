import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decisionBoundaryPanel, decisionBoundarySvg } from "./decisionBoundarySvg";
import { epochOrder, spiralLoss, spiralModel, spiralOptimizer, trainSpirals } from "./trainSpirals";
import { seededRandom, twoSpirals } from "./twoSpirals";

/** The reference harness's first steps (`scripts/reference_steps.py`): data, init, batches, parameters after. */
interface ReferenceSteps {
  seed: number;
  steps: number;
  batch: number;
  x: number[];
  y: number[];
  init: Record<"W1" | "b1" | "W2" | "b2", number[] | number[][]>;
  perms: number[][];
  sgd: { losses: number[]; params: ReferenceSteps["init"] };
  adam: { losses: number[]; params: ReferenceSteps["init"] };
}

/** PyTorch layout (`W[out][in]`) to the tfjs weights of `spiralModel`: kernels transposed. */
const tfjsWeights = (p: ReferenceSteps["init"]) => [
  tf.transpose(tf.tensor2d(p.W1 as number[][])),
  tf.tensor1d(p.b1 as number[]),
  tf.transpose(tf.tensor2d(p.W2 as number[][])),
  tf.tensor1d(p.b2 as number[]),
];

// A smoke test of the example (the full comparison takes ~1 h on a CPU backend; see the README).
describe("spirals-adlala example", () => {
  it("trains each method a few epochs and draws the boundaries", async () => {
    const rng = seededRandom(2);
    const train = twoSpirals(100, rng);
    const test = twoSpirals(100, rng);
    const grid = tf.tensor2d([0, 0, 1, 1, -1, 0.5, 0.3, -2], [4, 2]);
    for (const method of ["adlala", "adam", "sgd"] as const) {
      const run = await trainSpirals({ method, train, test, epochs: 3, every: 3, seed: 2, grid });
      expect(run.history).toHaveLength(1);
      expect(run.history[0]!.test).toBeGreaterThan(20);
      expect(run.grid.every((p) => p >= 0 && p <= 1)).toBe(true);
      const svg = decisionBoundarySvg([
        decisionBoundaryPanel({ title: method, grid: run.grid, resolution: 2, extent: 2, points: test }),
      ]);
      expect(svg.startsWith("<svg")).toBe(true);
    }
    grid.dispose();
  });

  // The settings check: from the reference's data, initialization and mini-batches, the
  // example's model, loss (mean BCE of the logits) and optimizers (SGD lr 0.05 momentum 0.9
  // with PyTorch's first buffer; Adam lr 0.005, betas 0.9/0.999, epsilon 1e-8) take the same
  // 40 steps as the float64 reference, to float32 round-off (measured: 5e-7 for SGD and 2e-6
  // for Adam after 100 steps). A different learning rate, momentum, beta, loss scaling or
  // layout would be off by far more than 1e-5 within a few steps.
  for (const method of ["sgd", "adam"] as const) {
    it(`${method}: the reference harness's first steps, to float32 round-off`, () => {
      const ref = JSON.parse(
        readFileSync(new URL("./__fixtures__/referenceSteps.json", import.meta.url), "utf8"),
      ) as ReferenceSteps;
      const model = spiralModel(ref.seed);
      const init = tfjsWeights(ref.init);
      model.setWeights(init);
      const optimizer = spiralOptimizer(method, model, ref.seed);
      const x = tf.tensor2d(ref.x, [ref.x.length / 2, 2]);
      const y = tf.tensor1d(ref.y);
      const perEpoch = x.shape[0] / ref.batch;
      let worstLoss = 0;
      for (let n = 0; n < ref.steps; n++) {
        const start = (n % perEpoch) * ref.batch;
        const idx = tf.tensor1d(
          ref.perms[Math.floor(n / perEpoch)]!.slice(start, start + ref.batch),
          "int32",
        );
        const loss = optimizer.minimize(() => spiralLoss(model, tf.gather(x, idx), tf.gather(y, idx)), true)!;
        worstLoss = Math.max(worstLoss, Math.abs(loss.dataSync()[0]! - ref[method].losses[n]!));
        tf.dispose([loss, idx]);
      }
      expect(worstLoss, "worst |loss - reference loss| over the steps").toBeLessThan(1e-5);
      const expected = tfjsWeights(ref[method].params);
      const names = ["hidden kernel", "hidden bias", "out kernel", "out bias"];
      model.getWeights().forEach((w, i) => {
        const want = expected[i]!.dataSync();
        const worst = Array.from(w.dataSync()).reduce((m, v, j) => Math.max(m, Math.abs(v - want[j]!)), 0);
        expect(worst, `${names[i]} after ${ref.steps} steps`).toBeLessThan(1e-5);
      });
      // The steps moved the weights by far more than the tolerance.
      const moved = expected[0]!.sub(init[0]!).abs().max().dataSync()[0]!;
      expect(moved).toBeGreaterThan(1e-2);
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y, ...init, ...expected]);
    });
  }

  it("orders each epoch by a fresh permutation, the same for a seed and method on every run", () => {
    const sorted = (order: readonly number[]) => [...order].sort((a, b) => a - b);
    const adam = epochOrder(2, "adam", 500);
    const first = [...adam()];
    const second = [...adam()];
    expect(sorted(first)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(sorted(second)).toEqual(sorted(first));
    expect(second).not.toEqual(first);
    expect([...epochOrder(2, "adam", 500)()]).toEqual(first);
    expect([...epochOrder(2, "sgd", 500)()]).not.toEqual(first);
    expect([...epochOrder(3, "adam", 500)()]).not.toEqual(first);
  });

  it("generates the authors' two spirals: two arms, point-symmetric", () => {
    const d = twoSpirals(10, seededRandom(1), { noise: 0 });
    expect(Array.from(d.y)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(d.x[10]).toBeCloseTo(-d.x[0]!, 6);
    expect(Math.hypot(d.x[0]!, d.x[1]!)).toBeLessThanOrEqual(2);
  });
});

import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { expectNoLeak } from "./expectNoLeak";
import { expectTensorsClose, expectTensorsEqual } from "./expectTensorsClose";
import { quadratic } from "./fixtures/quadratic";
import { syntheticBatch, tinyDense } from "./fixtures/tinyModels";

/** What the conformance suite needs of an optimizer: the `tf.Optimizer` surface. */
export interface OptimizerLike {
  minimize(f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]): tf.Scalar | null;
  getWeights(): Promise<{ name: string; tensor: tf.Tensor }[]>;
  setWeights(w: { name: string; tensor: tf.Tensor }[]): Promise<void>;
  getConfig(): tf.serialization.ConfigDict;
  dispose(): void;
}

/** A degenerate equivalence: `make` must track `reference` step for step. */
export interface Equivalence {
  readonly name: string;
  readonly make: (variables: Record<string, tf.Variable>) => OptimizerLike;
  readonly reference: (variables: Record<string, tf.Variable>) => OptimizerLike;
  /** Tolerance; default atol 1e-6, rtol 1e-6. `'exact'` demands bit equality. */
  readonly tolerance?: { atol: number; rtol: number } | "exact";
  /** Steps to compare. Default 10. */
  readonly steps?: number;
}

/** What an optimizer gives the conformance suite. */
export interface ConformanceSubject {
  /** Builds the optimizer over named variables (path -> variable). Called for every test. */
  readonly make: (variables: Record<string, tf.Variable>) => OptimizerLike;
  /** Rebuilds it from `getConfig()` output, bound to the same variables. */
  readonly fromConfig: (
    config: tf.serialization.ConfigDict,
    variables: Record<string, tf.Variable>,
  ) => OptimizerLike;
  /** Builds it for a layers model, for the `model.fit` test. */
  readonly makeForModel: (model: tf.LayersModel) => OptimizerLike;
  /** Steps on L(w) = 1/2 (w1 - 1)^2 + 3/2 (w2 + 2)^2 from 0, and the loss that must be reached. Default 200 steps, 1e-3. */
  readonly convergence?: { steps?: number; loss?: number };
  /** Degenerate equivalences (rho = 0 is the base rule, temperature 0 is SGD, ...). */
  readonly equivalences?: readonly Equivalence[];
}

function freshQuadratic() {
  return quadratic({ a: [1, 3], c: [1, -2], w0: [0, 0] });
}

function run(optimizer: OptimizerLike, loss: () => tf.Scalar, steps: number, varList?: tf.Variable[]) {
  for (let i = 0; i < steps; i++) optimizer.minimize(loss, false, varList);
}

/**
 * The contract every optimizer of the project keeps, as a vitest suite: it converges on a
 * quadratic; degenerate cases equal their reference; a variable outside `varList` stays
 * bit-identical; no tensor leaks from the second step on; saving and resuming continues
 * bit-identically; a step on a NaN loss is rejected and changes nothing (the run goes on
 * bit-identically to one that never saw it); the config round-trips; it trains under
 * `model.fit` without leaking.
 *
 * @example
 * ```ts
 * optimizerConformance("sgd", {
 *   make: (vars) => new GroupedOptimizer({ params: fromVariables(vars), defaults: { lr: 0.1 }, rule: sgd() }),
 *   fromConfig: (config, vars) => GroupedOptimizer.load(config, fromVariables(vars)),
 *   makeForModel: (model) => new GroupedOptimizer({ params: collectParams(model), defaults: { lr: 0.1 }, rule: sgd() }),
 * });
 * ```
 */
export function optimizerConformance(name: string, subject: ConformanceSubject): void {
  describe(`${name}: optimizer conformance`, () => {
    it("converges on a quadratic", () => {
      const q = freshQuadratic();
      const optimizer = subject.make({ w: q.w });
      const steps = subject.convergence?.steps ?? 200;
      const initial = q.loss().dataSync()[0]!;
      run(optimizer, q.loss, steps);
      const final = q.loss().dataSync()[0]!;
      expect(initial).toBeCloseTo(6.5, 6);
      expect(final, `loss after ${steps} steps`).toBeLessThan(subject.convergence?.loss ?? 1e-3);
      optimizer.dispose();
      q.dispose();
    });

    for (const eq of subject.equivalences ?? []) {
      it(`equivalence: ${eq.name}`, () => {
        const q1 = freshQuadratic();
        const q2 = freshQuadratic();
        const a = eq.make({ w: q1.w });
        const b = eq.reference({ w: q2.w });
        for (let i = 0; i < (eq.steps ?? 10); i++) {
          a.minimize(q1.loss);
          b.minimize(q2.loss);
          if (eq.tolerance === "exact") expectTensorsEqual(q1.w, q2.w, `w after step ${i + 1}`);
          else
            expectTensorsClose(
              q1.w,
              q2.w,
              eq.tolerance ?? { atol: 1e-6, rtol: 1e-6 },
              `w after step ${i + 1}`,
            );
        }
        a.dispose();
        b.dispose();
        q1.dispose();
        q2.dispose();
      });
    }

    it("leaves a variable outside varList bit-identical", () => {
      const q = freshQuadratic();
      const other = tf.variable(tf.tensor1d([0.25, -0.5]));
      const before = other.clone();
      const optimizer = subject.make({ w: q.w, other });
      const loss = () => tf.add(q.loss(), tf.sum(tf.square(other))) as tf.Scalar;
      run(optimizer, loss, 3, [q.w]);
      expectTensorsEqual(other, before, "variable outside varList");
      expect(q.loss().dataSync()[0]!).toBeLessThan(6.5);
      optimizer.dispose();
      tf.dispose([other, before]);
      q.dispose();
    });

    it("leaks no tensor from the second step on", async () => {
      const q = freshQuadratic();
      const optimizer = subject.make({ w: q.w });
      await expectNoLeak(() => optimizer.minimize(q.loss, true), { label: `${name}.minimize` });
      optimizer.dispose();
      q.dispose();
    });

    it("rejects a step on a NaN loss and goes on as if it never happened", async () => {
      const q1 = freshQuadratic();
      const q2 = freshQuadratic();
      const rejecting = subject.make({ w: q1.w });
      const straight = subject.make({ w: q2.w });
      run(rejecting, q1.loss, 3);
      const slots = async () =>
        (await rejecting.getWeights()).map((w) => [w.name, Array.from(w.tensor.dataSync())]);
      const before = { w: Array.from(q1.w.dataSync()), slots: await slots() };
      const nan = () => tf.mul(q1.loss(), Number.NaN) as tf.Scalar;
      expect(() => rejecting.minimize(nan)).toThrow(/not finite/);
      expect({ w: Array.from(q1.w.dataSync()), slots: await slots() }).toEqual(before);
      run(rejecting, q1.loss, 3);
      run(straight, q2.loss, 6);
      expectTensorsEqual(q1.w, q2.w, "w after 6 good steps and one rejected one");
      rejecting.dispose();
      straight.dispose();
      q1.dispose();
      q2.dispose();
    });

    it("saves and resumes bit-identically", async () => {
      const q = freshQuadratic();
      const optimizer = subject.make({ w: q.w });
      run(optimizer, q.loss, 3);
      const saved = (await optimizer.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
      const w3 = q.w.clone();
      run(optimizer, q.loss, 3);
      const straight = q.w.clone();

      q.w.assign(w3);
      const resumed = subject.make({ w: q.w });
      await resumed.setWeights(saved);
      run(resumed, q.loss, 3);
      expectTensorsEqual(q.w, straight, "w after resume");
      tf.dispose([w3, straight, ...saved.map((s) => s.tensor)]);
      optimizer.dispose();
      resumed.dispose();
      q.dispose();
    });

    it("round-trips its config", () => {
      const q1 = freshQuadratic();
      const q2 = freshQuadratic();
      const original = subject.make({ w: q1.w });
      const config = original.getConfig();
      const copy = subject.fromConfig(JSON.parse(JSON.stringify(config)), { w: q2.w });
      expect(copy.getConfig()).toEqual(config);
      run(original, q1.loss, 3);
      run(copy, q2.loss, 3);
      expectTensorsEqual(q2.w, q1.w, "w of the rebuilt optimizer");
      original.dispose();
      copy.dispose();
      q1.dispose();
      q2.dispose();
    });

    it("trains under model.fit without leaking", async () => {
      const model = tinyDense();
      const optimizer = subject.makeForModel(model);
      model.compile({
        optimizer: optimizer as unknown as tf.Optimizer,
        loss: (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, logits),
        metrics: ["accuracy"],
      });
      const { x, y } = syntheticBatch(16, [2], 3);
      const first = await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
      const tensors = tf.memory().numTensors;
      const rest = await model.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0 });
      expect(tf.memory().numTensors, "tensors after 4 more epochs of fit").toBe(tensors);
      const losses = [...first.history.loss!, ...rest.history.loss!] as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!, "loss after 5 epochs of fit").toBeLessThan(losses[0]!);
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    });
  });
}

import {
  collectParams,
  fromVariables,
  type GradientOracle,
  GroupedOptimizer,
  layerIndex,
  pathGlob,
  plainGradient,
  samOracle,
  sgd,
} from "@sam/core";
import { smallConvNet } from "@sam/models";
import { expectNoLeak, expectTensorsEqual, syntheticBatch, tinyConv, tinyDense } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it, vi } from "vitest";
import { headSelector } from "./headSelector";
import { multirate } from "./multirate";

/** A plain-gradient oracle that records, per step, which parameters it was asked for and got gradients of. */
function spyOracle() {
  const inner = plainGradient();
  const requested: string[][] = [];
  const received: string[][] = [];
  const oracle: GradientOracle = {
    ...inner,
    gradients(request, state) {
      const result = inner.gradients(request, state);
      requested.push(request.active.map((p) => p.path));
      received.push(request.active.filter((_, i) => result.grads[i] != null).map((p) => p.path));
      return result;
    },
  };
  return { oracle, requested, received };
}

describe("where the speed-up comes from", () => {
  const conv = () => {
    const model = tinyConv(2);
    const { x, y } = syntheticBatch(4, [6, 6, 3], 3);
    const loss = () =>
      tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const dispose = () => {
      tf.dispose([x, y]);
      model.dispose();
    };
    return { model, loss, dispose };
  };

  it("asks for no gradient of a slow parameter on fast steps, and gets none", () => {
    const c = conv();
    const spy = spyOracle();
    const optimizer = multirate(c.model, { k: 3, oracle: spy.oracle });
    for (let i = 0; i < 6; i++) optimizer.minimize(c.loss);
    const head = ["head/kernel", "head/bias"];
    const all = [...head, "conv1/kernel", "conv1/bias", "bn1/gamma", "bn1/beta"]; // group order: fast, slow
    expect(spy.requested).toEqual([all, head, head, all, head, head]);
    expect(spy.received).toEqual(spy.requested);
    optimizer.dispose();
    c.dispose();
  });

  it("runs no convolution backward kernel on fast steps, and fewer kernels than on a sync step", async () => {
    const c = conv();
    const optimizer = multirate(c.model, { k: 2 });
    const kernels = async () =>
      (
        await tf.profile(() => {
          optimizer.minimize(c.loss);
        })
      ).kernelNames;
    const sync = await kernels(); // step 0
    const fast = await kernels(); // step 1
    const backprop = (names: string[]) => names.filter((n) => /Conv2DBackprop|FusedBatchNormGrad/.test(n));
    expect(backprop(sync)).toContain("Conv2DBackpropFilter");
    expect(backprop(fast)).toEqual([]);
    expect(fast.length).toBeLessThan(sync.length);
    optimizer.dispose();
    c.dispose();
  });
});

describe("composition with a SAM oracle (@sam/core)", () => {
  const conv = (seed: number) => {
    const model = tinyConv(seed);
    const { x, y } = syntheticBatch(4, [6, 6, 3], 3);
    const loss = () =>
      tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const dispose = () => {
      tf.dispose([x, y]);
      model.dispose();
    };
    return { model, loss, dispose };
  };

  it("SAM on the fast head: fast steps still differentiate the head only, and rho = 0 is plain multirate bit for bit", () => {
    const a = conv(5);
    const b = conv(5);
    b.model.setWeights(a.model.getWeights());
    const requested: string[][] = [];
    const sam = samOracle({ rho: 0, allowZeroRho: true, perturb: headSelector(a.model) });
    const spied: GradientOracle = {
      ...sam,
      gradients(request, state) {
        requested.push(request.active.map((p) => p.path));
        return sam.gradients(request, state);
      },
    };
    const withSam = multirate(a.model, { k: 2, oracle: spied });
    const plain = multirate(b.model, { k: 2 });
    for (let i = 0; i < 4; i++) {
      withSam.minimize(a.loss);
      plain.minimize(b.loss);
    }
    expect(requested.map((r) => r.length)).toEqual([6, 2, 6, 2]);
    a.model.weights.forEach((w, i) =>
      expectTensorsEqual(w.read(), b.model.weights[i]!.read(), w.originalName),
    );
    withSam.dispose();
    plain.dispose();
    a.dispose();
    b.dispose();
  });

  it("SAM on the slow body perturbs on synchronisation steps only, without leaking", async () => {
    const c = conv(6);
    const before = c.model.getLayer("conv1").getWeights()[0]!.clone();
    const sam = samOracle({ rho: 0.05, perturb: { not: headSelector(c.model) }, checkFinite: true });
    const optimizer = multirate(c.model, { k: 2, oracle: sam });
    const samSteps: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      optimizer.minimize(c.loss);
      samSteps.push(sam.diagnostics?.sam ?? false);
    }
    expect(samSteps).toEqual([true, false, true, false]);
    await expectNoLeak(() => optimizer.minimize(c.loss, true), { calls: 4, label: "multirate + SAM" });
    expect(c.model.getLayer("conv1").getWeights()[0]!.dataSync()).not.toEqual(before.dataSync());
    before.dispose();
    optimizer.dispose();
    c.dispose();
  });
});

describe("multirate()", () => {
  it("groups the head fast and the body slow, with step sizes lr and k lr", () => {
    const model = smallConvNet({ inputShape: [8, 8, 3], numClasses: 3, filters: [4, 4], seed: 1 });
    const optimizer = multirate(model, { k: 4, lr: 0.02 });
    expect(optimizer.group("fast").params.map((p) => p.path)).toEqual(["head/kernel", "head/bias"]);
    expect(optimizer.group("slow").params.length).toBe(collectParams(model).length - 2);
    expect(optimizer.getConfig().rule).toMatchObject({ kind: "multirate", periods: { fast: 1, slow: 4 } });
    optimizer.dispose();
    model.dispose();
  });

  it("with k = 1 equals sgd({ momentum }) bit for bit on a conv net", () => {
    const a = tinyConv(4);
    const b = tinyConv(4);
    b.setWeights(a.getWeights());
    const { x, y } = syntheticBatch(4, [6, 6, 3], 3);
    const lossOf = (m: tf.LayersModel) => () =>
      tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const multi = multirate(a, { k: 1, lr: 0.05, momentum: 0.9 });
    const plain = new GroupedOptimizer({
      params: collectParams(b),
      defaults: { lr: 0.05 },
      rule: sgd({ momentum: 0.9 }),
    });
    for (let i = 0; i < 6; i++) {
      multi.minimize(lossOf(a));
      plain.minimize(lossOf(b));
    }
    a.weights.forEach((w, i) => expectTensorsEqual(w.read(), b.weights[i]!.read(), w.originalName));
    tf.dispose([x, y]);
    multi.dispose();
    plain.dispose();
  });

  it("trains under model.fit without leaking", async () => {
    const model = tinyDense(3);
    const optimizer = multirate(model, { k: 3, lr: 0.1 });
    model.compile({
      optimizer,
      loss: (yTrue: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, logits),
    });
    const { x, y } = syntheticBatch(16, [2], 3);
    const first = await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const tensors = tf.memory().numTensors;
    const rest = await model.fit(x, y, { epochs: 5, batchSize: 4, verbose: 0 });
    expect(tf.memory().numTensors).toBe(tensors);
    const losses = [...first.history.loss!, ...rest.history.loss!] as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(optimizer.step).toBe(24);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it("leaks no tensor per step", async () => {
    const model = tinyDense(2);
    const { x, y } = syntheticBatch(8, [2], 3);
    const optimizer = multirate(model, { k: 2 });
    const loss = () =>
      tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    await expectNoLeak(() => optimizer.minimize(loss, true), { calls: 6, label: "multirate().minimize" });
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe("bad input", () => {
  const vars = () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([2]));
    return { vars: { a, b }, dispose: () => tf.dispose([a, b]) };
  };

  it("k < 1 or not an integer names k, the value and the fix", () => {
    const model = tinyDense();
    expect(() => multirate(model, { k: 0 })).toThrow(
      /multirate k is 0: it must be an integer >= 1 \(the number of fast steps per slow step\)\. Use k = 5/,
    );
    expect(() => multirate(model, { k: 2.5 })).toThrow(/multirate k is 2.5/);
    expect(() => multirate(model, { k: Number.NaN })).toThrow(/multirate k is NaN/);
    model.dispose();
  });

  it("an empty fast or slow group is named with its selector", () => {
    const v = vars();
    const params = fromVariables(v.vars);
    expect(() => multirate(params, { fast: pathGlob("head/*") })).toThrow(
      /multirate fast group is empty: the selector \{"path":"head\/\*"\} matches none of the 2 parameters \(a, b\)/,
    );
    expect(() => multirate(params, { fast: pathGlob("a"), slow: pathGlob("c") })).toThrow(
      /multirate slow group is empty/,
    );
    v.dispose();
  });

  it("overlapping fast and slow groups are listed", () => {
    const v = vars();
    expect(() => multirate(fromVariables(v.vars), { fast: pathGlob("a"), slow: { all: true } })).toThrow(
      /fast and slow groups overlap: 1 parameter\(s\) match both selectors \("a"\)/,
    );
    v.dispose();
  });

  it("parameters without layer information need an explicit fast group", () => {
    const v = vars();
    expect(() => multirate(fromVariables(v.vars))).toThrow(/carry no layer information.*fast: pathGlob/);
    v.dispose();
  });

  it("a fast group early in the network warns that no speed-up is possible, and why", () => {
    const model = tinyConv();
    const onWarning = vi.fn();
    const optimizer = multirate(model, { fast: layerIndex(0), onWarning });
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning.mock.calls[0]![0]).toMatch(
      /sits early in the network: it includes layer "conv1" \(weight-owning layer #0\), and 2 slow layer\(s\) come after it \("bn1", "head"\)\. No speed-up is possible: the gradient of "conv1" needs back-propagation through every layer after it/,
    );
    optimizer.dispose();
    const quiet = vi.fn();
    multirate(model, { onWarning: quiet }).dispose();
    expect(quiet).not.toHaveBeenCalled();
    model.dispose();
  });
});

import * as tf from "@tensorflow/tfjs";
import { tinyBatchNorm } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import { sgd } from "../rules/sgd";
import { collectParams } from "./collectParams";
import { describeGroups } from "./describeGroups";
import { fromVariables } from "./fromVariables";
import { groupParams } from "./groupParams";
import { layerwiseLrDecay } from "./layerwiseLrDecay";
import { noDecayForNormAndBias } from "./noDecayForNormAndBias";
import { hasTag } from "./selectors";

const pathsByGroup = (groups: ReturnType<typeof groupParams>) =>
  Object.fromEntries(groups.map((g) => [g.label, g.params.map((p) => p.path)]));

/** stem conv -> two blocks of (dense, layer norm) -> head; a bias-free dense named "bias_proj". */
function blockedModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [3], name: "stem" }),
      tf.layers.dense({ units: 4, name: "b1_fc" }),
      tf.layers.layerNormalization({ name: "b1_ln" }),
      tf.layers.dense({ units: 4, name: "b2_fc" }),
      tf.layers.layerNormalization({ name: "b2_ln" }),
      tf.layers.dense({ units: 2, useBias: false, name: "bias_proj" }),
    ],
  });
  const blockOf = (name: string) =>
    name.startsWith("b1_")
      ? { index: 0, name: "block1" }
      : name.startsWith("b2_")
        ? { index: 1, name: "block2" }
        : undefined;
  return { model, params: collectParams(model, { blockOf }) };
}

describe("noDecayForNormAndBias", () => {
  it("puts norm scales and shifts and biases in no_decay (weight decay 0), by tag, and the rest in decay", () => {
    const model = tinyBatchNorm();
    const groups = groupParams(collectParams(model), noDecayForNormAndBias({ weightDecay: 5e-4 }), {
      defaults: { lr: 0.1, weightDecay: 0.1 },
    });
    expect(pathsByGroup(groups)).toEqual({
      no_decay: ["fc1/bias", "bn1/gamma", "bn1/beta", "head/bias"],
      decay: ["fc1/kernel", "head/kernel"],
    });
    expect(groups.map((g) => g.hyper.weightDecay)).toEqual([0, 5e-4]);
    const table = String(describeGroups(groups));
    // fc1/bias 6 + bn1/gamma 6 + bn1/beta 6 + head/bias 3 = 21 scalars; kernels 4*6 + 6*3 = 42
    expect(table).toMatch(
      /no_decay\s+4\s+21\s+bias:2 norm:2 norm-scale:1 norm-shift:1\s+lr=0.1 weightDecay=0\s/,
    );
    expect(table).toMatch(/decay\s+2\s+42\s+weight:2\s+lr=0.1 weightDecay=0.0005\s/);
  });

  it("selects by tag, not by name: a weight in a layer named bias_proj decays", () => {
    const { params } = blockedModel();
    const groups = groupParams(params, noDecayForNormAndBias({ alsoNoDecay: hasTag("norm-scale") }));
    expect(pathsByGroup(groups).decay).toEqual([
      "stem/kernel",
      "b1_fc/kernel",
      "b2_fc/kernel",
      "bias_proj/kernel",
    ]);
    expect(groups[1]!.hyper).toEqual({});
  });
});

describe("layerwiseLrDecay", () => {
  it("gives layer l of L the scale decay^(L - 1 - l), one depth per layer without blocks", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 3, inputShape: [2], name: "fc1" }),
        tf.layers.dense({ units: 3, name: "fc2" }),
        tf.layers.dense({ units: 1, name: "head" }),
      ],
    });
    const groups = groupParams(collectParams(model), layerwiseLrDecay(model, { decay: 0.5 }));
    expect(pathsByGroup(groups)).toEqual({
      layer_0: ["fc1/kernel", "fc1/bias"],
      layer_1: ["fc2/kernel", "fc2/bias"],
      layer_2: ["head/kernel", "head/bias"],
    });
    expect(groups.map((g) => g.hyper.lrScale)).toEqual([0.25, 0.5, 1]);
    const rows = String(describeGroups(groups)).split("\n");
    expect(rows.find((r) => r.startsWith("layer_0"))).toContain("lrScale=0.25");
    expect(rows.find((r) => r.startsWith("layer_2"))).toContain("lrScale=1");
  });

  it("gives each block one depth, the stem its own below and the head its own above, and splits decay like timm", () => {
    const { params } = blockedModel();
    const specs = layerwiseLrDecay(params, { decay: 0.75, weightDecay: 0.05 });
    const groups = groupParams(params, specs);
    expect(pathsByGroup(groups)).toEqual({
      layer_0_no_decay: ["stem/bias"],
      layer_0_decay: ["stem/kernel"],
      layer_1_no_decay: ["b1_fc/bias", "b1_ln/gamma", "b1_ln/beta"],
      layer_1_decay: ["b1_fc/kernel"],
      layer_2_no_decay: ["b2_fc/bias", "b2_ln/gamma", "b2_ln/beta"],
      layer_2_decay: ["b2_fc/kernel"],
      layer_3_decay: ["bias_proj/kernel"], // no bias: no empty no_decay group
    });
    expect(groups.map((g) => [g.hyper.lrScale, g.hyper.weightDecay])).toEqual([
      [0.421875, 0],
      [0.421875, 0.05],
      [0.5625, 0],
      [0.5625, 0.05],
      [0.75, 0],
      [0.75, 0.05],
      [1, 0.05],
    ]);
  });

  it("is read by the rules: one SGD step moves each layer by lr * lrScale * g", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: "zeros", name: "a" }),
        tf.layers.dense({ units: 1, useBias: false, kernelInitializer: "ones", name: "b" }),
      ],
    });
    const optimizer = new GroupedOptimizer({
      params: collectParams(model),
      groups: layerwiseLrDecay(model, { decay: 0.5 }),
      defaults: { lr: 0.1 },
      rule: sgd(),
    });
    // L = b * a * 1 - 1 (x = 1): dL/da = b = 1, dL/db = a = 0 at the start
    optimizer.minimize(
      () => tf.tidy(() => tf.sub(tf.sum(model.apply(tf.ones([1, 1])) as tf.Tensor), 1)) as tf.Scalar,
    );
    const [a, b] = model.getWeights().map((w) => w.dataSync()[0]);
    expect(a).toBeCloseTo(-0.1 * 0.5 * 1, 7); // depth 0 of 2: lrScale 0.5
    expect(b).toBeCloseTo(1, 7);
    optimizer.dispose();
  });

  it("explains a bad decay and parameters without layers", () => {
    const model = tinyBatchNorm();
    expect(() => layerwiseLrDecay(model, { decay: 0 })).toThrow(
      "layerwiseLrDecay: option decay is 0: it must be a number in (0, 1]. Pass e.g. { decay: 0.75 }",
    );
    const w = tf.variable(tf.zeros([2]));
    expect(() => layerwiseLrDecay(fromVariables({ w }), { decay: 0.5 })).toThrow(
      /parameter "w" .*Pass a layers model/,
    );
    w.dispose();
  });
});

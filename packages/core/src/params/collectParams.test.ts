import * as tf from "@tensorflow/tfjs";
import { tinyBatchNorm, tinyConv, tinyLayerNorm } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { collectParams } from "./collectParams";
import { fromVariables } from "./fromVariables";

const tagsOf = (set: ReturnType<typeof collectParams>) =>
  Object.fromEntries(set.params.map((p) => [p.path, [...p.tags].sort()]));

describe("collectParams", () => {
  it("tags BatchNorm gamma/beta as norm and records moving statistics as state", () => {
    const model = tinyBatchNorm();
    const set = collectParams(model);
    expect(tagsOf(set)).toEqual({
      "fc1/kernel": ["weight"],
      "fc1/bias": ["bias"],
      "bn1/gamma": ["norm", "norm-scale"],
      "bn1/beta": ["norm", "norm-shift"],
      "head/kernel": ["weight"],
      "head/bias": ["bias"],
    });
    expect(set.stateVariables.map((s) => s.path)).toEqual(["bn1/moving_mean", "bn1/moving_variance"]);
    expect(set.params.map((p) => p.layer?.index)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(set.get("bn1/gamma").layer?.className).toBe("BatchNormalization");
    expect(set.size).toBe(4 * 6 + 6 + 6 + 6 + 6 * 3 + 3);
    // the variables are the model's own: what model.fit passes as varList
    const trainable = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    expect(set.variables().map((v) => v.name)).toEqual(trainable);
    model.dispose();
  });

  it("tags LayerNorm like BatchNorm and conv kernels as weights", () => {
    const ln = collectParams(tinyLayerNorm());
    expect([...ln.get("ln1/gamma").tags].sort()).toEqual(["norm", "norm-scale"]);
    const conv = collectParams(tinyConv());
    expect([...conv.get("conv1/kernel").tags]).toEqual(["weight"]);
    expect(conv.get("conv1/kernel").shape).toEqual([3, 3, 3, 4]);
  });

  it("walks nested models and prefixes their paths", () => {
    const inner = tf.sequential({
      name: "encoder",
      layers: [tf.layers.dense({ units: 3, inputShape: [2], name: "enc_fc" })],
    });
    const outer = tf.sequential({ layers: [inner, tf.layers.dense({ units: 1, name: "head" })] });
    const set = collectParams(outer);
    expect(set.paths()).toEqual(["encoder/enc_fc/kernel", "encoder/enc_fc/bias", "head/kernel", "head/bias"]);
  });

  it("reads blocks and extra tags from model.samMeta, and takes user tag rules first", () => {
    const model = tinyBatchNorm() as tf.Sequential & { samMeta?: import("./collectParams").SamModelMeta };
    model.samMeta = {
      blocks: ["body", "head"],
      blockOfLayer: { fc1: 0, bn1: 0, head: 1 },
      tags: { "head/kernel": ["classifier"] },
    };
    const set = collectParams(model, {
      tagRules: [{ layerClass: "Dense", weightName: "bias", tags: ["bias", "dense-bias"] }],
    });
    expect(set.get("head/kernel").layer?.block).toBe(1);
    expect(set.get("head/kernel").layer?.blockName).toBe("head");
    expect([...set.get("head/kernel").tags].sort()).toEqual(["classifier", "weight"]);
    expect([...set.get("fc1/bias").tags].sort()).toEqual(["bias", "dense-bias"]);
  });

  it("rejects what is not a model", () => {
    expect(() => collectParams({} as never)).toThrow(/needs a tf.LayersModel/);
  });
});

describe("fromVariables", () => {
  it("names by record key, tags by weight name and rank", () => {
    const set = fromVariables({
      "l1/kernel": tf.variable(tf.zeros([2, 3])),
      "l1/bias": tf.variable(tf.zeros([3])),
      w: tf.variable(tf.zeros([3, 3])),
      s: tf.variable(tf.scalar(1)),
    });
    expect(tagsOf(set as never)).toEqual({
      "l1/kernel": ["weight"],
      "l1/bias": ["bias"],
      w: ["weight"],
      s: ["vector"],
    });
  });

  it("rejects a variable listed twice, naming both paths", () => {
    const v = tf.variable(tf.zeros([2]));
    expect(() => fromVariables({ a: v, b: v })).toThrow(/variable ".*" is listed twice \(as "a" and "b"\)/);
  });

  it("rejects declared tags for a path that does not exist", () => {
    expect(() => fromVariables({ a: tf.variable(tf.zeros([2])) }, { tags: { b: ["weight"] } })).toThrow(
      /options.tags names "b"/,
    );
  });

  it("suggests close paths when one is missing", () => {
    const set = fromVariables({ "head/kernel": tf.variable(tf.zeros([2, 2])) });
    expect(() => set.get("head/kernal")).toThrow(/Did you mean "head\/kernel"/);
  });
});

import { collectParams, compileSelector, fromVariables } from "@sam/core";
import { smallConvNet } from "@sam/models";
import { tinyBatchNorm } from "@sam/testing";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { headSelector } from "./headSelector";

describe("headSelector", () => {
  it("selects model.samMeta.head by layer position, as saveable data", () => {
    const model = smallConvNet({ inputShape: [8, 8, 3], numClasses: 3, filters: [4, 4], seed: 1 });
    const spec = headSelector(model);
    expect(spec).toEqual({ layerIndex: 4 }); // conv1, bn1, conv2, bn2, head
    const params = collectParams(model);
    expect(params.params.filter(compileSelector(spec)).map((p) => p.path)).toEqual([
      "head/kernel",
      "head/bias",
    ]);
    model.dispose();
  });

  it("falls back to the last weight-owning layer, and follows samMeta.head when it names several layers", () => {
    const model = tinyBatchNorm();
    expect(headSelector(model)).toEqual({ layerIndex: 2 });
    expect(headSelector(collectParams(model))).toEqual({ layerIndex: 2 });
    Object.assign(model, { samMeta: { blocks: [], blockOfLayer: {}, head: ["bn1", "head"] } });
    expect(headSelector(model)).toEqual({ or: [{ layerIndex: 1 }, { layerIndex: 2 }] });
    Object.assign(model, { samMeta: { blocks: [], blockOfLayer: {}, head: ["relu1"] } });
    expect(() => headSelector(model)).toThrow(
      /samMeta.head is \["relu1"\], but no parameter belongs to a layer/,
    );
    model.dispose();
  });

  it("explains that plain variables have no head", () => {
    const w = tf.variable(tf.zeros([2]));
    expect(() => headSelector(fromVariables({ w }))).toThrow(/carry no layer information/);
    expect(() => headSelector(42 as never)).toThrow(/headSelector\(source\) is number/);
    w.dispose();
  });
});

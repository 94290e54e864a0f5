import * as tf from "@tensorflow/tfjs";
import { tinyBatchNorm } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { collectParams } from "./collectParams";
import { describeGroups } from "./describeGroups";
import { groupParams } from "./groupParams";
import { and, everything, hasTag, layerClass, not, or, pathGlob, pathMatches, rank } from "./selectors";

const params = () => collectParams(tinyBatchNorm());
const labelsOf = (groups: ReturnType<typeof groupParams>) =>
  Object.fromEntries(groups.map((g) => [g.label, g.params.map((p) => p.path)]));

describe("selectors", () => {
  it("select by tag, class, glob, regex, rank and combinations", () => {
    const set = params();
    const pick = (s: Parameters<typeof groupParams>[1][0]["select"]) =>
      groupParams(set, [{ label: "x", select: s }], { onUnmatched: "ignore" })[0]!.params.map((p) => p.path);
    expect(pick(hasTag("norm"))).toEqual(["bn1/gamma", "bn1/beta"]);
    expect(pick(layerClass("Dense"))).toEqual(["fc1/kernel", "fc1/bias", "head/kernel", "head/bias"]);
    expect(pick(pathGlob("head/*"))).toEqual(["head/kernel", "head/bias"]);
    expect(pick(pathGlob("**bias"))).toEqual(["fc1/bias", "head/bias"]);
    expect(pick(pathMatches("^(fc1|bn1)/"))).toEqual(["fc1/kernel", "fc1/bias", "bn1/gamma", "bn1/beta"]);
    expect(pick(rank(2))).toEqual(["fc1/kernel", "head/kernel"]);
    expect(pick(and(layerClass("Dense"), not(hasTag("bias"))))).toEqual(["fc1/kernel", "head/kernel"]);
    expect(pick(or(hasTag("norm"), hasTag("bias")))).toEqual([
      "fc1/bias",
      "bn1/gamma",
      "bn1/beta",
      "head/bias",
    ]);
    expect(pick((a) => a.path.startsWith("fc1"))).toEqual(["fc1/kernel", "fc1/bias"]);
  });

  it("explain malformed selectors", () => {
    const set = params();
    const build = (select: unknown) => () => groupParams(set, [{ label: "x", select: select as never }]);
    expect(build({ tag: "norm", path: "x" })).toThrow(/has 2 keys, but a selector has exactly one/);
    expect(build({ tags: "norm" })).toThrow(/unknown key "tags"/);
    expect(build({ pathRegex: "(" })).toThrow(/not a valid regular expression/);
    expect(build({ rank: [3, 1] })).toThrow(/inclusive range \[min, max\] with min <= max/);
    expect(build({ and: [] })).toThrow(/non-empty list/);
    expect(build({ tag: "nrom" })).toThrow(/unknown tag.*Known tags: .*norm/);
  });
});

describe("groupParams", () => {
  it("is ordered, first match wins, and fills hyperparameters from defaults", () => {
    const groups = groupParams(
      params(),
      [
        { label: "no_decay", select: or(hasTag("norm"), hasTag("bias")), hyper: { weightDecay: 0 } },
        { label: "head", select: pathGlob("head/*"), hyper: { lr: 0.01 } },
        { label: "rest", select: everything },
      ],
      { defaults: { lr: 0.1, weightDecay: 5e-4 } },
    );
    expect(labelsOf(groups)).toEqual({
      no_decay: ["fc1/bias", "bn1/gamma", "bn1/beta", "head/bias"],
      head: ["head/kernel"],
      rest: ["fc1/kernel"],
    });
    expect(groups.map((g) => g.hyper)).toEqual([
      { lr: 0.1, weightDecay: 0 },
      { lr: 0.01, weightDecay: 5e-4 },
      { lr: 0.1, weightDecay: 5e-4 },
    ]);
  });

  it("names unmatched parameters, empty and shadowed groups, and duplicate labels", () => {
    const set = params();
    expect(() => groupParams(set, [{ label: "norm", select: hasTag("norm") }])).toThrow(
      /4 parameter\(s\) match no group: "fc1\/kernel", "fc1\/bias", "head\/kernel", "head\/bias".*onUnmatched: 'ignore'/,
    );
    expect(() =>
      groupParams(set, [
        { label: "emb", select: hasTag("embedding") },
        { label: "rest", select: everything },
      ]),
    ).toThrow(/Group "emb" selects no parameter.*nothing in the model matches it/);
    expect(() =>
      groupParams(set, [
        { label: "all", select: everything },
        { label: "norm", select: hasTag("norm") },
      ]),
    ).toThrow(/Group "norm" selects no parameter.*already taken by an earlier group/);
    expect(() =>
      groupParams(set, [
        { label: "a", select: hasTag("norm") },
        { label: "a", select: everything },
      ]),
    ).toThrow(/Two groups are labelled "a"/);
    const ok = groupParams(
      set,
      [
        { label: "emb", select: hasTag("embedding") },
        { label: "rest", select: everything },
      ],
      {
        allowEmpty: true,
      },
    );
    expect(ok[0]!.params).toEqual([]);
  });

  it("leaves unmatched parameters out with onUnmatched: 'ignore'", () => {
    const groups = groupParams(params(), [{ label: "norm", select: hasTag("norm") }], {
      onUnmatched: "ignore",
    });
    expect(labelsOf(groups)).toEqual({ norm: ["bn1/gamma", "bn1/beta"] });
  });

  it("describes the groups as rows and as a table", () => {
    const groups = groupParams(
      params(),
      [
        { label: "norm", select: hasTag("norm"), hyper: { weightDecay: 0 } },
        { label: "rest", select: everything },
      ],
      { defaults: { lr: 0.1 } },
    );
    const table = describeGroups(groups);
    expect(table.rows[0]).toMatchObject({
      label: "norm",
      tensors: 2,
      scalars: 12,
      tags: { norm: 2, "norm-scale": 1, "norm-shift": 1 },
    });
    expect(table.rows[1]).toMatchObject({ label: "rest", tensors: 4, scalars: 24 + 6 + 18 + 3 });
    const text = String(table);
    expect(text.split("\n")[0]).toMatch(/^group\s+tensors\s+scalars\s+tags\s+hyper\s+paths$/);
    expect(text).toContain("lr=0.1 weightDecay=0");
    tf.dispose();
  });
});

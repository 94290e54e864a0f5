import { describe, expect, it } from "vitest";
import { RESUME_METHODS, tinyConfig } from "../test/tinyConfig";
import { parseRunConfig } from "./parseRunConfig";

const base = () => tinyConfig(RESUME_METHODS.sgd!) as Record<string, unknown>;
const errorOf = (input: unknown): string => {
  try {
    parseRunConfig(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("parseRunConfig accepted the config");
};

describe("parseRunConfig", () => {
  it("fills in every default", () => {
    const c = parseRunConfig({
      model: { builder: "mlp" },
      data: { source: "spirals" },
      method: { name: "sgd" },
      epochs: 1,
    });
    expect(c.seed).toBe(1);
    expect(c.keep).toBe(3);
    expect(c.data).toEqual({ source: "spirals", options: {}, validation: 0, batchSize: 64 });
    expect(c.method.base).toBe("momentum");
    expect(c.method.weightDecayIn).toBe("rule");
  });

  it("names the field, the value and the allowed values of an enum", () => {
    const msg = errorOf({ ...base(), method: { name: "samm" } });
    expect(msg).toContain(
      'method.name is "samm": allowed values are "sgd", "momentum", "adam", "adamw", "sam", "asam", "samOn", "usam", "sgld", "langevin", "overdampedLangevin", "adaptiveLangevin", "lala", "adlala", "lol", "multirate".',
    );
    expect(errorOf({ ...base(), data: { source: "imagenet" } })).toMatch(
      /data\.source is "imagenet": allowed values are "mnist", "shapes"/,
    );
  });

  it("names an unknown field with its value and the fields allowed there", () => {
    const msg = errorOf({ ...base(), data: { source: "spirals", batchsize: 32 } });
    expect(msg).toMatch(
      /data\.batchsize is 32, but batchsize is not a field of data; allowed fields are source, train, test, .*batchSize/,
    );
  });

  it("names wrong types and out-of-range numbers", () => {
    expect(errorOf({ ...base(), seed: "one" })).toContain('seed is "one": expected number.');
    expect(errorOf({ ...base(), data: { source: "spirals", batchSize: 0 } })).toMatch(
      /data\.batchSize is 0: it must be >=1\./,
    );
    expect(errorOf({ ...base(), data: { source: "spirals", validation: 0.9 } })).toMatch(
      /data\.validation is 0\.9: it must be <=0\.5\./,
    );
  });

  it("lists every problem at once", () => {
    const msg = errorOf({
      model: { builder: "resnet" },
      data: { source: "spirals" },
      method: { name: "sgd" },
      epochs: 0,
    });
    expect(msg.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(2);
    expect(msg).toMatch(
      /model\.builder is "resnet": allowed values are "mlp", "smallConvNet", "cifarResNet", "wideResNet", "vit"\./,
    );
    expect(msg).toMatch(/epochs is 0: it must be >=1\./);
  });

  it("requires exactly one of epochs and steps", () => {
    expect(errorOf({ ...base(), epochs: 2 })).toMatch(/epochs is 2: set exactly one of `epochs` and `steps`/);
    const { steps: _, ...none } = base();
    expect(errorOf(none)).toMatch(/steps is missing: set exactly one of `epochs` and `steps`/);
  });

  it("checks the hyperparameter keys against the rule's", () => {
    const msg = errorOf({ ...base(), method: { name: "langevin", hyper: { lr: 0.1, h: 0.1 } } });
    expect(msg).toContain('method.hyper.lr is 0.1: langevin reads "h", "friction", "temperature".');
    const sam = errorOf({
      ...base(),
      method: { name: "sam", base: "adamw", rho: 0.05, hyper: { momentum: 0.9 } },
    });
    expect(sam).toContain(
      'method.hyper.momentum is 0.9: sam (base adamw) reads "lr", "lrScale", "beta1", "beta2", "epsilon", "weightDecay".',
    );
  });

  it("names a bad schedule by its path", () => {
    const msg = errorOf({
      ...base(),
      method: { name: "sgd", hyper: { lr: { schedule: "cosin", value: 0.1 } } },
    });
    expect(msg).toMatch(
      /method\.hyper\.lr is \{"schedule":"cosin","value":0\.1\}: it matches none of the allowed forms/,
    );
  });

  it("needs rho for the SAM family and refuses it elsewhere", () => {
    expect(errorOf({ ...base(), method: { name: "asam" } })).toContain(
      "method.rho is missing: asam needs a radius, e.g. 0.05.",
    );
    expect(errorOf({ ...base(), method: { name: "sgd", rho: 0.1 } })).toContain(
      "method.rho is 0.1: only the SAM family (sam, asam, samOn, usam) reads it.",
    );
    expect(errorOf({ ...base(), method: { name: "sam", rho: 0.1, mSharpness: 5 } })).toContain(
      "method.mSharpness is 5: it must divide data.batchSize (16).",
    );
  });

  it("asks for the files of a file source", () => {
    expect(errorOf({ ...base(), data: { source: "cifar10" } })).toContain(
      "data.dir is missing: cifar10 reads its binary directory from data.dir.",
    );
  });
});

import * as tf from "@tensorflow/tfjs";
import { collectParams, everything, GroupedOptimizer, pathGlob } from "@sam/core";
import { expectNoLeak, expectTensorsClose, optimizerConformance, tinyDense } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { subjectFor } from "./__fixtures__/subjects";
import { adlala, adlalaRule } from "./adlala";
import { sphere } from "./constraint";
import { lala, lalaRule } from "./lala";
import { lol, lolRule } from "./lol";

// The conformance suite builds optimizers over { w } (and { w, other }): group "first" takes
// w, group "rest" the others (empty allowed).
const groups = [
  { label: "first", select: pathGlob("w") },
  { label: "rest", select: everything },
];
const shared = { h: 0.3, temperature: 1e-7, friction: 1, sigmaA: 1e-4, coupling: 0.05, xi0: 1 };
optimizerConformance(
  "adlalaRule",
  subjectFor(
    () => adlalaRule(),
    shared,
    { makeForModel: (model) => adlala({ params: collectParams(model), h: 0.1 }) },
    groups,
  ),
);
optimizerConformance(
  "lalaRule",
  subjectFor(
    () => lalaRule(),
    shared,
    { makeForModel: (model) => lala({ params: collectParams(model), h: 0.1 }) },
    groups,
  ),
);
optimizerConformance(
  "lolRule",
  subjectFor(
    () => lolRule(),
    shared,
    { makeForModel: (model) => lol({ params: collectParams(model), h: 0.1 }) },
    groups,
  ),
);

describe("partitioned constructors", () => {
  it("adlala puts the first weight-owning layer (kernel and bias) in the thermostatted group", () => {
    const model = tinyDense();
    const optimizer = adlala({ params: collectParams(model) });
    const first = optimizer.group("first");
    expect(first.params.map((p) => p.layer?.index)).toEqual([0, 0]);
    expect(first.params.map((p) => [...p.tags].includes("bias") || [...p.tags].includes("weight"))).toEqual([
      true,
      true,
    ]);
    expect(first.hyper).toMatchObject({ h: 0.25, temperature: 1e-4, sigmaA: 0.01, coupling: 0.05, xi0: 0.1 });
    expect(optimizer.group("rest").hyper).toMatchObject({ h: 0.25, temperature: 1e-4, friction: 0.1 });
    optimizer.dispose();
    model.dispose();
  });

  it("name the first partition's settings firstHyper in all three schemes; adlala still reads the deprecated thermostat", () => {
    const model = tinyDense();
    const params = collectParams(model);
    const settings = { coupling: 0.2, xi0: 0.5 };
    const renamed = adlala({ params, firstHyper: settings });
    const aliased = adlala({ params, thermostat: settings });
    const both = adlala({ params, firstHyper: settings, thermostat: { coupling: 9 } });
    for (const optimizer of [renamed, aliased, both]) {
      expect(optimizer.group("first").hyper).toEqual({
        h: 0.25,
        temperature: 1e-4,
        sigmaA: 0.01,
        coupling: 0.2,
        xi0: 0.5,
      });
    }
    const l = lala({ params, firstHyper: { friction: 3 }, rest: { temperature: 0.5 } });
    expect(l.group("first").hyper).toEqual({ h: 0.25, temperature: 1e-4, friction: 3 });
    expect(l.group("rest").hyper).toEqual({ h: 0.25, temperature: 0.5, friction: 0.1 });
    const o = lol({ params, firstHyper: { temperature: 0.01 }, h: 0.1 });
    expect(o.group("first").hyper).toEqual({ h: 0.1, temperature: 0.01, friction: 0.1 });
    expect(o.group("rest").hyper).toEqual({ h: 0.1, temperature: 1e-4 });
    for (const optimizer of [renamed, aliased, both, l, o]) optimizer.dispose();
    model.dispose();
  });

  it("takes any split the user selects, and round-trips through getConfig / load", async () => {
    const model = tinyDense();
    const params = collectParams(model);
    const optimizer = lol({ params, first: { layerIndex: 1 } }); // the head Langevin, the hidden layer overdamped
    expect(optimizer.group("first").params.map((p) => p.layer?.name)).toEqual(["head", "head"]);
    expect(optimizer.group("rest").params.map((p) => p.layer?.name)).toEqual(["fc1", "fc1"]);
    const copy = GroupedOptimizer.load(JSON.parse(JSON.stringify(optimizer.getConfig())), params);
    expect(copy.getConfig()).toEqual(optimizer.getConfig());
    optimizer.dispose();
    copy.dispose();
    model.dispose();
  });

  it("adlala takes constraints on the thermostatted first layer (and round-trips them)", async () => {
    const model = tinyDense();
    const params = collectParams(model);
    const optimizer = adlala({ params, firstConstraints: [sphere(1)], seed: 3 });
    const kernel = optimizer.group("first").params.find((p) => p.shape.length === 2)!.variable;
    const x = tf.randomNormal([4, model.inputs[0]!.shape[1]!], 0, 1, "float32", 1);
    for (let n = 0; n < 5; n++)
      optimizer.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
    const norms = tf.norm(kernel, 2, 0);
    expectTensorsClose(norms, tf.onesLike(norms), { atol: 2e-6, rtol: 0 }, "unit norms of the first kernel");
    const copy = GroupedOptimizer.load(JSON.parse(JSON.stringify(optimizer.getConfig())), params);
    expect(copy.getConfig()).toEqual(optimizer.getConfig());
    expect(JSON.stringify(optimizer.getConfig())).toContain('"kind":"sphere"');
    optimizer.dispose();
    copy.dispose();
    tf.dispose([x, norms]);
    model.dispose();
  });

  it("a step of each scheme on a model leaks nothing", async () => {
    const model = tinyDense();
    const x = tf.randomNormal([4, model.inputs[0]!.shape[1]!]);
    for (const make of [adlala, lala, lol]) {
      const optimizer = make({ params: collectParams(model) });
      await expectNoLeak(
        () => optimizer.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar, true),
        { label: make.name },
      );
      optimizer.dispose();
    }
    x.dispose();
    model.dispose();
  });
});

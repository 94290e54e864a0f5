import * as tf from "@tensorflow/tfjs";
import { expectNoLeak } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { fromVariables } from "../params/fromVariables";
import { singleGroup } from "../params/groupParams";
import { allocateSlots } from "./allocateSlots";

function setup() {
  const w = tf.variable(
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
  );
  const b = tf.variable(tf.tensor1d([5, 6]));
  const params = fromVariables({ w, b });
  return { group: singleGroup(params)[0]!, dispose: () => [w, b].forEach((v) => v.dispose()) };
}

describe("allocateSlots", () => {
  it("allocates zero slots by name, one per parameter, and zero per-group scalars", () => {
    const { group, dispose } = setup();
    const state = allocateSlots(group, "heavyBall", ["velocity"], ["count"]);
    expect(state.slots().map((s) => s.name)).toEqual([
      "w/heavyBall.velocity",
      "b/heavyBall.velocity",
      "@all/heavyBall.count",
    ]);
    expect(state.get("velocity", 0).arraySync()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(state.get("count", 0).arraySync()).toBe(0);
    expect(state.slots().every((s) => !s.variable.trainable)).toBe(true);
    state.dispose();
    dispose();
  });

  it("takes initial values (numbers or tensors from the parameter) and subsets of the parameters", () => {
    const { group, dispose } = setup();
    const state = allocateSlots(
      group,
      "k",
      {
        ones: { init: 1 },
        square: { params: [0], init: (_, p) => tf.square(p.variable) },
        norm: { params: (p) => p.shape.length === 1, init: (i) => tf.norm(group.params[i]!.variable) },
      },
      { xi: 0.25 },
    );
    expect(state.get("ones", 1).arraySync()).toEqual([1, 1]);
    expect(state.get("square", 0).arraySync()).toEqual([
      [1, 4],
      [9, 16],
    ]);
    expect(state.get("square", 1)).toBeUndefined();
    expect(state.get("norm", 0)).toBeUndefined();
    expect(state.get("norm", 1).dataSync()[0]).toBeCloseTo(Math.sqrt(61), 5);
    expect(state.get("xi", 0).arraySync()).toBe(0.25);
    expect(state.slots().map((s) => s.name)).toEqual([
      "w/k.ones",
      "b/k.ones",
      "w/k.square",
      "b/k.norm",
      "@all/k.xi",
    ]);
    state.dispose();
    dispose();
  });

  it("keeps only the slot variables: no temporaries of the initializers survive", async () => {
    const { group, dispose } = setup();
    await expectNoLeak(() =>
      allocateSlots(group, "k", { a: { init: (_, p) => tf.mul(p.variable, 2) } }, { c: 3 }).dispose(),
    );
    dispose();
  });
});

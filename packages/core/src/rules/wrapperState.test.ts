import * as tf from "@tensorflow/tfjs";
import { expectNoLeak } from "@sam/testing";
import { describe, expect, it } from "vitest";
import { fromVariables } from "../params/fromVariables";
import { singleGroup } from "../params/groupParams";
import { allocateSlots } from "./allocateSlots";
import { sgd } from "./sgd";
import { StepCounter } from "./updateRule";
import { WrapperState } from "./wrapperState";

const w = tf.variable(tf.tensor1d([1, 2]));
const b = tf.variable(tf.tensor1d([3]));
const group = singleGroup(fromVariables({ w, b }))[0]!;
const wrapped = () =>
  new WrapperState(new StepCounter("@all/traced.count"), sgd({ momentum: 0.9 }).init([group]), [
    allocateSlots(group, "traced", ["trace"]),
  ]);

describe("WrapperState", () => {
  it("lists the counter, its own slots, then the inner state's, and reports the inner state as its child", () => {
    const state = wrapped();
    expect(state.slots().map((s) => s.name)).toEqual([
      "@all/traced.count",
      "w/traced.trace",
      "b/traced.trace",
      "w/sgd.momentum",
      "b/sgd.momentum",
    ]);
    expect(state.slots()[0]!.counter).toBe(true);
    expect(state.children()).toEqual([state.inner]);
    state.dispose();
  });

  it("re-reads its counter when restored (setWeights, a rejected step)", () => {
    const state = wrapped();
    state.count.tick();
    state.count.variable.assign(tf.scalar(7));
    expect(state.count.value).toBe(1);
    state.restored();
    expect(state.count.value).toBe(7);
    state.dispose();
  });

  it("frees the counter, its own slots and the inner state", async () => {
    await expectNoLeak(() => wrapped().dispose());
  });
});

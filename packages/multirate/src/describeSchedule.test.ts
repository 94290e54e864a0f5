import { adam, everyK, fromVariables, GroupedOptimizer, partitionRules, pathGlob, sgd } from "@sam/core";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { describeSchedule } from "./describeSchedule";
import { multirate } from "./multirate";

describe("describeSchedule", () => {
  const vars = () => ({
    head: tf.variable(tf.zeros([3, 2])),
    body: tf.variable(tf.zeros([10, 3])),
  });

  it("says which group moves when, with which step, for a multirate optimizer", () => {
    const v = vars();
    const optimizer = multirate(fromVariables(v), { k: 3, lr: 0.01, fast: pathGlob("head") });
    const table = describeSchedule(optimizer);
    expect(table.rows.map((r) => r.cells.map((c) => c.action))).toEqual([
      ["step", "sync"],
      ["step", "drift"],
      ["step", "drift"],
      ["step", "sync"],
    ]);
    expect(table.rows[0]!.cells[1]).toEqual({
      label: "slow",
      gradient: true,
      action: "sync",
      stepSize: 0.03,
    });
    expect(table.rows.map((r) => r.gradientScalars)).toEqual([36, 6, 6, 36]);
    expect(String(table)).toBe(
      [
        "multirate schedule: periods fast=1 slow=3, linear drift",
        "step  fast (1 tensors, 6 scalars)  slow (1 tensors, 30 scalars)  gradient scalars",
        "----  ---------------------------  ----------------------------  ----------------",
        "0     grad  step 0.01              grad  sync 0.03 (1/3 now)     36",
        "1     grad  step 0.01              drift 1/3 (no grad)           6",
        "2     grad  step 0.01              drift 1/3 (no grad)           6",
        "3     grad  step 0.01              grad  sync 0.03 (1/3 now)     36",
      ].join("\n"),
    );
    optimizer.dispose();
    tf.dispose(Object.values(v));
  });

  it("shows jumps without drift, starts at the optimizer's step and resolves schedules", () => {
    const v = vars();
    const optimizer = multirate(fromVariables(v), {
      k: 2,
      lr: { schedule: "piecewise", boundaries: [3], values: [0.1, 0.05] },
      fast: pathGlob("head"),
      drift: false,
    });
    optimizer.minimize(() => tf.sum(tf.square(tf.add(tf.sum(v.head), tf.sum(v.body)))) as tf.Scalar);
    const rows = describeSchedule(optimizer, { steps: 4 }).rows;
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(rows.map((r) => [r.cells[0]!.stepSize, r.cells[1]!.action, r.cells[1]!.stepSize])).toEqual([
      [0.1, "hold", undefined],
      [0.1, "jump", 0.2],
      [0.05, "hold", undefined],
      [0.05, "jump", 0.1],
    ]);
    optimizer.dispose();
    tf.dispose(Object.values(v));
  });

  it("describes any grouped optimizer by its rule's cadence", () => {
    const v = vars();
    const optimizer = new GroupedOptimizer({
      params: fromVariables(v),
      groups: [
        { label: "head", select: pathGlob("head") },
        { label: "body", select: pathGlob("body") },
      ],
      defaults: { lr: 0.1 },
      rule: partitionRules({ head: adam(), body: everyK(2, sgd()) }),
    });
    const rows = describeSchedule(optimizer, { steps: 2 }).rows;
    expect(rows.map((r) => r.cells.map((c) => c.action))).toEqual([
      ["step", "hold"],
      ["step", "step"],
    ]);
    expect(() => describeSchedule(optimizer, { steps: 0 })).toThrow(/steps must be an integer >= 1/);
    optimizer.dispose();
    tf.dispose(Object.values(v));
  });
});

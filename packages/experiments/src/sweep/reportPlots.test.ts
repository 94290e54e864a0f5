import { describe, expect, it } from "vitest";
import { reportPlots } from "./reportPlots";
import type { SweepReport } from "./sweepReport";

const cell = (name: string, rho: number | null, mean: number, se: number | null) => ({
  label: `method.name=${name}, method.rho=${rho}`,
  values: { "method.name": name, "method.rho": rho },
  metrics: { final_test_accuracy: { mean, se, n: se === null ? 1 : 3 } },
  trials: {},
});

const report: SweepReport = {
  name: "rho",
  metric: "final_test_accuracy",
  higherIsBetter: true,
  cellAxes: ["method.name", "method.rho"],
  x: "method.rho",
  trials: 15,
  done: 13,
  failed: [],
  missing: [],
  cells: [
    cell("sgd", null, 0.8, 0.01),
    cell("sam", 0.01, 0.82, 0.02),
    cell("sam", 0.5, 0.84, 0.01),
    cell("samOn", 0.1, 0.81, null),
    cell("samOn", 1, 0.85, 0.03),
  ],
  comparisons: [],
};

describe("reportPlots", () => {
  it("plots every cell's mean with a one-s.e. error bar", () => {
    const plots = reportPlots(report);
    expect(Object.keys(plots)).toEqual(["cells", "final_test_accuracy-vs-method.rho"]);
    const rows = (
      plots.cells!.spec.data as { values: { cell: string; mean: number; lo: number; hi: number }[] }
    ).values;
    expect(rows).toHaveLength(5);
    expect(rows[1]).toMatchObject({ cell: "method.name=sam, method.rho=0.01", mean: 0.82 });
    expect(rows[1]!.lo).toBeCloseTo(0.8, 12);
    expect(rows[1]!.hi).toBeCloseTo(0.84, 12);
    expect(rows[3]).toMatchObject({ lo: 0.81, hi: 0.81 }); // n = 1: no bar
  });

  it("plots the metric against x, one line per method, without the cells whose x is not a number, on a log axis when x spans 20x", () => {
    const plot = reportPlots(report)["final_test_accuracy-vs-method.rho"]!;
    const points = (plot.spec.data as { values: { x: number; series: string }[] }).values;
    expect(points.map((p) => [p.series, p.x])).toEqual([
      ["method.name=sam", 0.01],
      ["method.name=sam", 0.5],
      ["method.name=samOn", 0.1],
      ["method.name=samOn", 1],
    ]);
    const layers = plot.spec.layer as { encoding: { x: { scale: unknown } } }[];
    expect(layers[0]!.encoding.x.scale).toEqual({ type: "log" });
    const narrow = reportPlots({ ...report, cells: report.cells.slice(2, 4) })[
      "final_test_accuracy-vs-method.rho"
    ]!;
    expect((narrow.spec.layer as typeof layers)[0]!.encoding.x.scale).toEqual({ zero: false });
  });

  it("draws nothing without a finished cell, and no x plot without report.x", () => {
    expect(reportPlots({ ...report, cells: [] })).toEqual({});
    expect(Object.keys(reportPlots({ ...report, x: null }))).toEqual(["cells"]);
  });
});

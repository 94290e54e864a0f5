import { SamConfigError } from "@sam/core";
import type { InterpolationResult } from "../interpolation/interpolate";
import { makePlot, type Plot } from "./plot";

/** Options of {@link interpolationPlot}. */
export interface InterpolationPlotOptions {
  /** `'loss'` (default) or `'accuracy'`. */
  readonly metric?: "loss" | "accuracy";
  /** Logarithmic y axis. Default false. */
  readonly logY?: boolean;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

/** Dash patterns of the splits, in order: solid, then dashes long enough to read in the legend. */
const SPLIT_DASHES = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
];

/**
 * 1-D interpolation curves: one line per group (colour), one dash style per split (first
 * split solid, the others dashed), alpha on x. Points with a non-finite loss are shown as
 * red triangles at the top of the plot (tooltip: group, split, alpha, value), not dropped
 * silently. Vertical rules mark alpha = 0 and 1 when the grid extrapolates.
 *
 * @example
 * ```ts
 * import { captureState, interpolate, interpolationPlot, modelEvaluator } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const init = captureState(params);
 * await model.fit(x, y, { epochs: 10 });
 * const result = await interpolate({ params, from: init, to: captureState(params), evaluate: modelEvaluator({ model, x, y }) });
 * await writePlot(interpolationPlot(result, { metric: "loss" }), "out/interpolation");
 * ```
 */
export function interpolationPlot(result: InterpolationResult, options: InterpolationPlotOptions = {}): Plot {
  if (!result || !Array.isArray(result.curves) || !Array.isArray(result.alphas)) {
    throw new SamConfigError(
      "interpolationPlot needs the result of interpolate() ({ alphas, curves, nonFinite }).",
    );
  }
  const metric = options.metric ?? "loss";
  if (metric === "accuracy" && !result.curves.some((c) => c.accuracy)) {
    throw new SamConfigError(
      'interpolationPlot metric is "accuracy" but no curve has accuracy: evaluate with modelEvaluator({ model, x, y }) (one-hot targets).',
    );
  }
  const rows = result.curves.flatMap((c) =>
    result.alphas.map((alpha, i) => ({
      alpha,
      value: metric === "loss" ? c.loss[i] : (c.accuracy?.[i] ?? null),
      group: c.label,
      split: c.split,
    })),
  );
  const splits = [...new Set(result.curves.map((c) => c.split))];
  const bad = result.nonFinite.map((p) => ({
    alpha: p.alpha,
    group: p.label,
    split: p.split,
    value: p.value,
  }));
  const lo = Math.min(...result.alphas);
  const hi = Math.max(...result.alphas);
  const rules = [0, 1]
    .filter((a) => (lo < a && a < hi) || (a === 0 && lo < 0) || (a === 1 && hi > 1))
    .map((alpha) => ({ alpha }));
  const yTitle = metric === "loss" ? "loss" : "accuracy";
  const layers: Record<string, unknown>[] = [
    {
      data: { values: rows },
      mark: { type: "line", point: rows.length <= 400, strokeWidth: 1.8 },
      encoding: {
        x: { field: "alpha", type: "quantitative", title: "alpha (0 = from, 1 = to)" },
        y: {
          field: "value",
          type: "quantitative",
          title: yTitle,
          ...(options.logY ? { scale: { type: "log" } } : { scale: { zero: false } }),
        },
        color: { field: "group", type: "nominal", title: "moved" },
        strokeDash: {
          field: "split",
          type: "nominal",
          title: "split",
          scale: { domain: splits, range: SPLIT_DASHES },
          // With `point` on the line, Vega-Lite fills this legend's symbols black and makes their
          // stroke transparent, so a "stroke" symbol draws nothing and solid and dashed cannot be
          // told apart: give the line sample its stroke back (and no fill), long enough to show a dash.
          legend: {
            symbolType: "stroke",
            symbolStrokeWidth: 2,
            symbolSize: 500,
            encode: { symbols: { update: { stroke: { value: "#333" }, fill: { value: "transparent" } } } },
          },
        },
      },
    },
  ];
  if (rules.length > 0) {
    layers.push({
      data: { values: rules },
      mark: { type: "rule", color: "#999", strokeDash: [2, 3] },
      encoding: { x: { field: "alpha", type: "quantitative" } },
    });
  }
  if (bad.length > 0) {
    layers.push({
      data: { values: bad },
      mark: { type: "point", shape: "triangle-down", color: "#d62728", filled: true, size: 80 },
      encoding: {
        x: { field: "alpha", type: "quantitative" },
        y: { value: 6 },
        tooltip: [
          { field: "group", type: "nominal" },
          { field: "split", type: "nominal" },
          { field: "alpha", type: "quantitative" },
          { field: "value", type: "nominal", title: "loss" },
        ],
      },
    });
  }
  return makePlot({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title:
      options.title ??
      `Linear interpolation (${yTitle}; others held at "${result.hold}", BN statistics: ${result.bnStats})` +
        (bad.length ? `; ${bad.length} non-finite point(s), red` : ""),
    width: options.width ?? 480,
    height: options.height ?? 300,
    layer: layers,
  });
}

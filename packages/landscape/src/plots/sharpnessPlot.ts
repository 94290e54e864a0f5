import { SamConfigError } from "@sam/core";
import type { EdgeOfStabilityRecord } from "../eos/edgeOfStabilityTracker";
import { makePlot, type Plot } from "./plot";

/** Options of {@link sharpnessPlot}. */
export interface SharpnessPlotOptions {
  /** Add a loss panel above the sharpness panel. Default true. */
  readonly loss?: boolean;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * Sharpness over training (Cohen et al. 2021's figure): lambda_max against the step, with
 * the stability threshold 2/lr (momentum-adjusted, following a schedule) as a dashed line,
 * and the tracked loss in a panel above.
 *
 * @example
 * ```ts
 * import { EdgeOfStabilityTracker, sharpnessPlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * // model compiled with tf.train.sgd(0.01), trained full-batch; lossFn: the loss on that batch
 * const tracker = new EdgeOfStabilityTracker({ params, lossFn, lr: 0.01, every: 100 });
 * await model.fit(x, y, { batchSize: x.shape[0], epochs: 2000, callbacks: [tracker.callback()] });
 * await writePlot(sharpnessPlot(tracker.history), "out/edge-of-stability");
 * ```
 */
export function sharpnessPlot(
  history: readonly EdgeOfStabilityRecord[],
  options: SharpnessPlotOptions = {},
): Plot {
  if (!Array.isArray(history) || history.length === 0) {
    throw new SamConfigError(
      "sharpnessPlot needs a non-empty history (tracker.history of an EdgeOfStabilityTracker that has measured at least once).",
    );
  }
  const width = options.width ?? 480;
  const rows = history.flatMap((r) => [
    { step: r.step, value: r.lambdaMax, series: "lambda_max" },
    { step: r.step, value: r.threshold, series: "2 / lr (threshold)" },
  ]);
  const sharpness = {
    width,
    height: options.height ?? 220,
    data: { values: rows },
    mark: { type: "line", point: history.length <= 200 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "value", type: "quantitative", title: "sharpness" },
      color: { field: "series", type: "nominal", title: null },
      strokeDash: {
        field: "series",
        type: "nominal",
        scale: {
          domain: ["lambda_max", "2 / lr (threshold)"],
          range: [
            [1, 0],
            [5, 4],
          ],
        },
        legend: null,
      },
    },
  };
  const lossPanel = {
    width,
    height: 120,
    data: { values: history.map((r) => ({ step: r.step, loss: r.loss })) },
    mark: { type: "line" },
    encoding: {
      x: { field: "step", type: "quantitative", title: null },
      y: { field: "loss", type: "quantitative", title: "loss", scale: { type: "log" } },
    },
  };
  return makePlot({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Edge of stability: top Hessian eigenvalue against 2 / lr",
    ...((options.loss ?? true) ? { vconcat: [lossPanel, sharpness] } : sharpness),
  });
}

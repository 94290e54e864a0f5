import { SamConfigError } from "@sam/core";
import { marchingSquares } from "../internal/marchingSquares";
import type { Slice2dResult } from "../slices/slice2d";
import { makePlot, type Plot } from "./plot";

/** Options of {@link slicePlot}. */
export interface SlicePlotOptions {
  /** `'contour'` (lines over a faint heat map, default) or `'heatmap'`. */
  readonly kind?: "contour" | "heatmap";
  /** Contour levels: a count (evenly spaced between the min and max loss, default 12) or the values. */
  readonly levels?: number | readonly number[];
  /** Colour by log10(loss) (for wide ranges). Default false. */
  readonly logColor?: boolean;
  /** Points to overlay (e.g. `trajectoryDirections(...).points`), joined in order. */
  readonly trajectory?: readonly { x: number; y: number }[];
  /** Axis titles (e.g. with the variance explained). */
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * A 2-D slice as a heat map or contour plot. Contours are computed here by marching squares
 * (Vega-Lite has no contour mark) and drawn as segments coloured by level; non-finite grid
 * points are drawn as grey cells.
 *
 * @example
 * ```ts
 * import { randomDirection, slice2d, slicePlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const directions = [randomDirection(params, { seed: 1 }), randomDirection(params, { seed: 2 })] as const;
 * const surface = await slice2d({ params, directions, evaluate: lossFn });
 * await writePlot(slicePlot(surface, { kind: "contour", levels: 15 }), "out/surface");
 * ```
 */
export function slicePlot(result: Slice2dResult, options: SlicePlotOptions = {}): Plot {
  if (!result || !Array.isArray(result.loss) || !Array.isArray(result.xs) || !Array.isArray(result.ys)) {
    throw new SamConfigError("slicePlot needs the result of slice2d() ({ xs, ys, loss }).");
  }
  const { xs, ys } = result;
  if (xs.length < 2 || ys.length < 2) {
    throw new SamConfigError(
      `slicePlot needs at least a 2 x 2 grid, got ${xs.length} x ${ys.length}. Pass more xs and ys to slice2d.`,
    );
  }
  const kind = options.kind ?? "contour";
  const edges = (v: readonly number[], i: number) => {
    const lo = i === 0 ? v[0]! - (v[1]! - v[0]!) / 2 : (v[i - 1]! + v[i]!) / 2;
    const hi = i === v.length - 1 ? v[i]! + (v[i]! - v[i - 1]!) / 2 : (v[i]! + v[i + 1]!) / 2;
    return [lo, hi] as const;
  };
  const cells = ys.flatMap((y, j) =>
    xs.map((x, i) => {
      const [x0, x1] = edges(xs, i);
      const [y0, y1] = edges(ys, j);
      const loss = result.loss[j]![i];
      return { x, y, x0, x1, y0, y1, loss, finite: loss !== null };
    }),
  );
  const finite = cells.filter((c) => c.finite).map((c) => c.loss as number);
  if (finite.length === 0) {
    throw new SamConfigError(
      "slicePlot: every grid point is non-finite, there is nothing to draw. Shrink the grid range.",
    );
  }
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const count = typeof options.levels === "number" ? options.levels : 12;
  const levels =
    typeof options.levels === "object"
      ? [...options.levels]
      : Array.from({ length: count }, (_, k) => min + ((max - min) * (k + 0.5)) / count);
  const xTitle = options.xTitle ?? "alpha (direction 1)";
  const yTitle = options.yTitle ?? "beta (direction 2)";
  const colorScale = options.logColor ? { type: "log", scheme: "viridis" } : { scheme: "viridis" };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: cells },
      mark: { type: "rect", opacity: kind === "contour" ? 0.35 : 1 },
      encoding: {
        x: {
          field: "x0",
          type: "quantitative",
          title: xTitle,
          scale: { domain: [edges(xs, 0)[0], edges(xs, xs.length - 1)[1]], nice: false },
        },
        x2: { field: "x1" },
        y: {
          field: "y0",
          type: "quantitative",
          title: yTitle,
          scale: { domain: [edges(ys, 0)[0], edges(ys, ys.length - 1)[1]], nice: false },
        },
        y2: { field: "y1" },
        color: {
          condition: {
            test: "datum.finite",
            field: "loss",
            type: "quantitative",
            title: "loss",
            scale: colorScale,
          },
          value: "#bbbbbb",
        },
        tooltip: [
          { field: "x", type: "quantitative" },
          { field: "y", type: "quantitative" },
          { field: "loss", type: "quantitative" },
        ],
      },
    },
  ];
  if (kind === "contour") {
    const segments = marchingSquares(xs, ys, result.loss, levels).map((s) => ({
      ...s,
      level: Number(s.level.toPrecision(4)),
    }));
    layers.push({
      data: { values: segments },
      mark: { type: "rule", strokeWidth: 1.4 },
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
        x2: { field: "x2" },
        y2: { field: "y2" },
        color: {
          field: "level",
          type: "quantitative",
          title: "level",
          scale: { scheme: "magma" },
          legend: null,
        },
      },
    });
  }
  if (options.trajectory && options.trajectory.length > 0) {
    layers.push({
      data: { values: options.trajectory.map((p, order) => ({ x: p.x, y: p.y, order })) },
      mark: { type: "line", point: true, color: "#d62728" },
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
        order: { field: "order", type: "quantitative" },
      },
    });
  }
  return makePlot({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? `Loss surface (${kind}; directions' cosine ${result.cosine.toFixed(3)})`,
    width: options.width ?? 360,
    height: options.height ?? 360,
    layer: layers,
    resolve: { scale: { color: "independent" } },
  });
}

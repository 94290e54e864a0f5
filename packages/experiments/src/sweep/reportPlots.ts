import { makePlot, type Plot } from "@sam/landscape";
import type { SweepReport } from "./sweepReport";

/**
 * The report's plots (Vega-Lite through `@sam/landscape`'s `makePlot`): `cells`, the report's
 * metric per cell with error bars (mean ± one standard error); and, when the spec names
 * `report.x`, the metric against that axis, one line per value of the other cell axes (e.g.
 * accuracy against rho per method), on a log axis when its values span a factor of 20 or more.
 * Cells whose `x` value is not a number (SGD's absent rho) are left out of that plot.
 *
 * @example
 * ```ts
 * import { reportPlots, sweepReport } from "@sam/experiments";
 *
 * const plots = reportPlots(sweepReport("sweeps/a")); // { cells: Plot, "final_test_accuracy-vs-method.rho"?: Plot }
 * await plots.cells!.svg();
 * ```
 */
export function reportPlots(report: SweepReport): Record<string, Plot> {
  const m = report.metric;
  const rows = report.cells
    .filter((c) => c.metrics[m])
    .map((c) => {
      const s = c.metrics[m]!;
      const se = s.se ?? 0;
      return { cell: c.label, values: c.values, mean: s.mean, lo: s.mean - se, hi: s.mean + se, n: s.n };
    });
  const plots: Record<string, Plot> = {};
  if (rows.length === 0) return plots;
  const yTitle = `${m} (mean ± s.e.)`;
  plots.cells = makePlot({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `${report.name}: ${m} per cell`,
    width: Math.max(240, 60 * rows.length),
    height: 260,
    data: { values: rows.map(({ values: _v, ...r }) => r) },
    encoding: {
      x: {
        field: "cell",
        type: "nominal",
        title: null,
        sort: null,
        axis: { labelAngle: -30, labelLimit: 260 },
      },
    },
    layer: [
      {
        mark: { type: "errorbar", ticks: true },
        encoding: {
          y: { field: "lo", type: "quantitative", title: yTitle, scale: { zero: false } },
          y2: { field: "hi" },
        },
      },
      {
        mark: { type: "point", filled: true, size: 60 },
        encoding: { y: { field: "mean", type: "quantitative" } },
      },
    ],
  });
  const x = report.x;
  if (x) {
    const others = report.cellAxes.filter((a) => a !== x);
    const points = rows
      .filter((r) => typeof r.values[x] === "number")
      .map((r) => ({
        x: r.values[x] as number,
        series:
          others
            .map((a) => `${a}=${typeof r.values[a] === "string" ? r.values[a] : JSON.stringify(r.values[a])}`)
            .join(", ") || m,
        mean: r.mean,
        lo: r.lo,
        hi: r.hi,
      }));
    if (points.length > 0) {
      const xs = points.map((p) => p.x);
      const log = Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 20;
      const xEnc = {
        field: "x",
        type: "quantitative",
        title: x,
        scale: log ? { type: "log" } : { zero: false },
      };
      const color = { field: "series", type: "nominal", title: null };
      plots[`${m}-vs-${x}`] = makePlot({
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        title: `${report.name}: ${m} against ${x}`,
        width: 420,
        height: 260,
        data: { values: points },
        layer: [
          {
            mark: { type: "errorbar", ticks: true },
            encoding: {
              x: xEnc,
              y: { field: "lo", type: "quantitative", title: yTitle, scale: { zero: false } },
              y2: { field: "hi" },
              color,
            },
          },
          {
            mark: { type: "line", point: true },
            encoding: { x: xEnc, y: { field: "mean", type: "quantitative" }, color },
          },
        ],
      });
    }
  }
  return plots;
}

import { SamConfigError } from "@sam/core";
import type { SpectralDensityResult } from "../hessian/spectralDensity";
import { makePlot, type Plot } from "./plot";

/** Options of {@link spectrumPlot}. */
export interface SpectrumPlotOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * An eigenvalue spectrum: the SLQ density (log y, PyHessian's convention, floored at 1e-8)
 * from {@link spectralDensity} (a grid longer than 4 points per pixel of width is cut into
 * that many buckets, each drawn by its lowest and highest point, so no narrow peak is lost), or top eigenvalues (from {@link powerIteration} or
 * {@link lanczos}) as a stem plot by rank.
 *
 * @example
 * ```ts
 * import { hessianOperator, spectralDensity, spectrumPlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const op = hessianOperator(params, lossFn);
 * await writePlot(spectrumPlot(await spectralDensity(op, { steps: 40 })), "out/esd");
 * await writePlot(spectrumPlot([12.1, 7.4, 3.3]), "out/top3");
 * op.dispose();
 * ```
 */
export function spectrumPlot(
  spectrum: SpectralDensityResult | readonly number[],
  options: SpectrumPlotOptions = {},
): Plot {
  const width = options.width ?? 480;
  const height = options.height ?? 260;
  if (Array.isArray(spectrum)) {
    if (spectrum.length === 0 || spectrum.some((v) => !Number.isFinite(v))) {
      throw new SamConfigError(
        "spectrumPlot got an empty list or non-finite eigenvalues: pass the finite values a solver returned.",
      );
    }
    const rows = spectrum.map((value, i) => ({ rank: i + 1, eigenvalue: value }));
    return makePlot({
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: options.title ?? "Top Hessian eigenvalues",
      width,
      height,
      data: { values: rows },
      layer: [
        {
          mark: { type: "rule" },
          encoding: {
            x: { field: "rank", type: "ordinal" },
            y: { field: "eigenvalue", type: "quantitative" },
            y2: { datum: 0 },
          },
        },
        {
          mark: { type: "point", filled: true },
          encoding: {
            x: { field: "rank", type: "ordinal" },
            y: { field: "eigenvalue", type: "quantitative" },
          },
        },
      ],
    });
  }
  const esd = spectrum as SpectralDensityResult;
  if (!esd || !Array.isArray(esd.grid) || !Array.isArray(esd.density)) {
    throw new SamConfigError(
      "spectrumPlot needs the result of spectralDensity() ({ grid, density }) or a list of eigenvalues.",
    );
  }
  const rows = decimate(esd.grid, esd.density, 4 * width).map(([x, d]) => ({
    eigenvalue: x,
    density: Math.max(d, 1e-8),
  }));
  return makePlot({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Hessian eigenvalue density (stochastic Lanczos quadrature)",
    width,
    height,
    data: { values: rows },
    mark: { type: "line" },
    encoding: {
      x: { field: "eigenvalue", type: "quantitative", title: "eigenvalue" },
      y: { field: "density", type: "quantitative", title: "density (log)", scale: { type: "log" } },
    },
  });
}

/**
 * At most 2 * buckets points of (x, y): the grid cut into `buckets` equal runs, each kept as its
 * minimum and maximum in x order (min-max decimation: every peak keeps its height).
 */
function decimate(x: readonly number[], y: readonly number[], buckets: number): [number, number][] {
  if (x.length <= 2 * buckets) return x.map((xi, i) => [xi, y[i]!]);
  const out: [number, number][] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * x.length) / buckets);
    const to = Math.floor(((b + 1) * x.length) / buckets);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (y[i]! < y[lo]!) lo = i;
      if (y[i]! > y[hi]!) hi = i;
    }
    for (const i of lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) out.push([x[i]!, y[i]!]);
  }
  return out;
}

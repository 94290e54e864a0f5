import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { marchingSquares } from "../internal/marchingSquares";
import { alphaGrid } from "../interpolation/alphaGrid";
import type { InterpolationResult } from "../interpolation/interpolate";
import { interpolationMetrics } from "../interpolation/interpolationMetrics";
import { interpolationPlot } from "./interpolationPlot";
import { sharpnessPlot } from "./sharpnessPlot";
import { slicePlot } from "./slicePlot";
import { spectrumPlot } from "./spectrumPlot";
import { writePlot } from "./writePlot";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function fakeInterpolation(): InterpolationResult {
  const alphas = alphaGrid(-0.5, 1.5, 9);
  const curve = (label: string, split: string, f: (a: number) => number) => {
    const loss = alphas.map((a) => (a === 1.5 && label === "head" ? null : f(a)));
    return {
      label,
      split,
      loss,
      metrics: interpolationMetrics(alphas, loss),
      distance: 1,
      relativeDistance: 0.5,
    };
  };
  return {
    alphas,
    curves: [
      curve("all", "train", (a) => (1 - a) ** 2),
      curve("head", "train", (a) => 1 - a / 2),
      curve("all", "test", (a) => (1 - a) ** 2 + 0.1),
    ],
    nonFinite: [{ label: "head", split: "train", alpha: 1.5, value: "NaN" }],
    hold: "to",
    bnStats: "keep",
  };
}

describe("plots", () => {
  it("interpolation curves render to SVG (lines, legend, the non-finite marker) and PNG; writePlot writes both", async () => {
    const plot = interpolationPlot(fakeInterpolation());
    expect(JSON.stringify(plot.spec)).toContain("triangle-down");
    const svg = await plot.svg();
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("alpha (0 = from, 1 = to)");
    expect(svg).toContain("head");
    expect(svg).toContain("non-finite");
    const png = await plot.png({ scale: 1 });
    expect(Array.from(png.slice(0, 8))).toEqual(PNG_MAGIC);
    const dir = await mkdtemp(join(tmpdir(), "landscape-plot-"));
    const files = await writePlot(plot, join(dir, "sub", "curve"));
    expect((await readFile(files.svg, "utf8")).startsWith("<svg")).toBe(true);
    expect(Array.from((await readFile(files.png)).subarray(0, 8))).toEqual(PNG_MAGIC);
    expect(JSON.parse(await readFile(files.spec, "utf8"))).toEqual(plot.spec);
    await expect(writePlot(plot, "out/curve.png")).rejects.toThrow(/without extension/);
  });

  it("the split legend draws a line sample per split: stroked, solid for the first, dashed for the next", async () => {
    const svg = await interpolationPlot(fakeInterpolation()).svg();
    // Legend symbols that carry a dash pattern are the split legend's (the group legend has none).
    const symbols = [...svg.matchAll(/role-legend-symbol[^>]*>(<path[^>]*>)/g)]
      .map((m) => m[1]!)
      .filter((path) => path.includes("stroke-dasharray"));
    expect(symbols).toHaveLength(2); // train, test
    for (const path of symbols) {
      const stroke = /\sstroke="([^"]+)"/.exec(path)?.[1];
      expect(stroke, path).toBeDefined();
      expect(stroke).not.toBe("transparent");
      expect(path).toMatch(/stroke-width="2"/);
    }
    const dashes = symbols.map((path) => /stroke-dasharray="([^"]+)"/.exec(path)![1]);
    expect(dashes).toEqual(["1,0", "6,3"]);
  });

  it("a long density grid is drawn by min-max buckets: at most 8 points per pixel column pair, peaks kept", () => {
    const n = 100_000;
    const grid = Array.from({ length: n }, (_, i) => i / 100);
    const density = grid.map((_, i) => (i === 12_345 || i === 87_654 ? 5 : 1e-3));
    const plot = spectrumPlot(
      { runs: [], grid, density, traceEstimate: 0, sigmaSquared: 1e-4 },
      { width: 100 },
    );
    const rows = (plot.spec as { data: { values: { eigenvalue: number; density: number }[] } }).data.values;
    expect(rows.length).toBeLessThanOrEqual(800);
    expect(rows.filter((r) => r.density === 5).map((r) => r.eigenvalue)).toEqual([123.45, 876.54]);
    const xs = rows.map((r) => r.eigenvalue);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  it("a 2-D contour plot, an edge-of-stability plot and spectra render to SVG", async () => {
    const xs = alphaGrid(-1, 1, 9);
    const loss = xs.map((y) => xs.map((x) => (x === 1 && y === 1 ? null : x * x + 2 * y * y)));
    const contour = slicePlot(
      { xs, ys: xs, loss, cosine: 0.01, nonFinite: [{ x: 1, y: 1 }] },
      {
        trajectory: [
          { x: 0.5, y: 0.5 },
          { x: 0, y: 0 },
        ],
      },
    );
    expect(await contour.svg()).toContain("alpha (direction 1)");
    const heat = slicePlot({ xs, ys: xs, loss, cosine: 0, nonFinite: [] }, { kind: "heatmap" });
    expect((await heat.svg()).startsWith("<svg")).toBe(true);
    const eos = sharpnessPlot([
      {
        step: 0,
        lambdaMax: 3,
        threshold: 5,
        ratio: 0.6,
        lrTimesSharpness: 1.2,
        loss: 1,
        iterations: 3,
        converged: true,
      },
      {
        step: 100,
        lambdaMax: 5,
        threshold: 5,
        ratio: 1,
        lrTimesSharpness: 2,
        loss: 0.1,
        iterations: 3,
        converged: true,
      },
    ]);
    expect(await eos.svg()).toContain("2 / lr (threshold)");
    expect((await spectrumPlot([10, 5, 1]).svg()).startsWith("<svg")).toBe(true);
    const esd = spectrumPlot({
      runs: [],
      grid: [0, 1, 2],
      density: [0.1, 0.5, 0],
      traceEstimate: 1,
      sigmaSquared: 1e-5,
    });
    expect(await esd.svg()).toContain("density (log)");
  });

  it("marching squares: the level set of x^2 + y^2 = 0.5 lies on the circle", () => {
    const xs = alphaGrid(-1, 1, 41);
    const z = xs.map((y) => xs.map((x) => x * x + y * y));
    const segs = marchingSquares(xs, xs, z, [0.5]);
    expect(segs.length).toBeGreaterThan(20);
    for (const s of segs) expect(Math.hypot(s.x, s.y)).toBeCloseTo(Math.sqrt(0.5), 2);
  });

  it("bad input names the fix", () => {
    expect(() => sharpnessPlot([])).toThrow(/non-empty history/);
    expect(() => spectrumPlot([])).toThrow(/empty list/);
    expect(() => interpolationPlot(fakeInterpolation(), { metric: "accuracy" })).toThrow(/modelEvaluator/);
  });
});

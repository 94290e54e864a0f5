import { createRng, SamConfigError } from "@sam/core";
import type { OnProgress } from "../progress";
import { lanczos } from "./lanczos";
import type { LinearOperator } from "./linearOperator";

/** Options of {@link spectralDensity}. */
export interface SpectralDensityOptions {
  /** Independent runs n_v (random probes), averaged. Default 1 (PyHessian). */
  readonly runs?: number;
  /** Lanczos steps m per run. Default min(dim, 100) (PyHessian). */
  readonly steps?: number;
  /**
   * Points of the density grid. Default: enough for {@link SPECTRAL_GRID_POINTS_PER_SIGMA}
   * points per standard deviation sigma over the range, and at least 1000, so that every
   * Gaussian peak is resolved whatever the width of the spectrum. A coarser grid (spacing
   * above sigma) aliases the peaks: their Riemann sums, hence the mass each outlier shows,
   * are wrong by factors of 0 to 4 (PyHessian's fixed 10,000 points do so for widths above ~1000).
   */
  readonly gridSize?: number;
  /** Gaussian smoothing variance sigma^2. Default 1e-5 * max(1, theta_max - theta_min) over the Ritz values (PyHessian). */
  readonly sigmaSquared?: number;
  /** Seed of the probes. Default 1. */
  readonly seed?: number;
  /** Called after every operator application. */
  readonly onProgress?: OnProgress;
}

/** Grid points per smoothing standard deviation sigma in {@link spectralDensity}'s default grid. */
const SPECTRAL_GRID_POINTS_PER_SIGMA = 4;

/** The largest default grid of {@link spectralDensity}; beyond it pass a larger `sigmaSquared`. */
const MAX_DEFAULT_GRID = 4_000_000;

/** What {@link spectralDensity} estimated (plain JSON). */
export interface SpectralDensityResult {
  /** Per run: quadrature nodes (Ritz values) and weights (sum to 1). */
  runs: { nodes: number[]; weights: number[] }[];
  /** Grid of eigenvalues, ascending. */
  grid: number[];
  /** Density at each grid point; integrates to 1 over the grid. */
  density: number[];
  /** The trace estimate dim * mean over runs of sum_i w_i theta_i (unbiased for Rademacher probes). */
  traceEstimate: number;
  /** Smoothing variance used. */
  sigmaSquared: number;
}

/**
 * The eigenvalue spectral density of a symmetric operator by stochastic Lanczos
 * quadrature (SLQ). For each of n_v runs: a Rademacher probe v, normalised; m Lanczos
 * steps give T = S Theta S^T; the nodes are the Ritz values theta_i and the weights
 * w_i = S_(0,i)^2 (squared *first* components: the bug PyHessian PR #23 fixed). The density
 * is phi(x) = mean over runs of sum_i w_i N(x; theta_i, sigma^2), on a grid over
 * [lo, hi] = [min theta - pad, max theta + pad], pad = max(0.01, 6 sigma) (PyHessian pads
 * by 0.01 only, which cuts the end peaks and so inflates the others after normalisation),
 * normalised to integrate to 1. With
 * m >= the number of distinct eigenvalues the nodes are the spectrum itself.
 *
 * The default grid has G = max(1000, ceil(4 (hi - lo) / sigma) + 1) points, spacing
 * dx <= sigma / 4, so the Riemann sum of every peak is its weight (the error of a Gaussian's
 * Riemann sum is about 2 exp(-2 pi^2 sigma^2 / dx^2)). PyHessian's default
 * sigma^2 = 1e-5 (hi - lo) gives (hi - lo) / sigma = sqrt(1e5 (hi - lo)): a fixed grid of
 * 1000 points aliases the peaks once the spectrum is wider than about 10. Each Gaussian is
 * summed over the grid points within 10 sigma of its node only (the rest is below 2e-22).
 *
 * @example
 * ```ts
 * import { hessianOperator, spectralDensity, spectrumPlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const op = hessianOperator(params, lossFn);
 * const esd = await spectralDensity(op, { steps: 40 });
 * await writePlot(spectrumPlot(esd), "out/esd");
 * op.dispose();
 * ```
 */
export async function spectralDensity(
  op: LinearOperator,
  options: SpectralDensityOptions = {},
): Promise<SpectralDensityResult> {
  const runsCount = options.runs ?? 1;
  const m = options.steps ?? Math.min(op.dim, 100);
  if (!Number.isInteger(runsCount) || runsCount < 1) {
    throw new SamConfigError(
      `spectralDensity runs is ${runsCount}: it must be a positive integer such as 1.`,
    );
  }
  if (options.gridSize !== undefined && (!Number.isInteger(options.gridSize) || options.gridSize < 2)) {
    throw new SamConfigError(
      `spectralDensity gridSize is ${options.gridSize}: it must be an integer >= 2 such as 1000, ` +
        "or leave it out for a grid that follows (range / sigma).",
    );
  }
  const rng = createRng(options.seed ?? 1);
  const runs: { nodes: number[]; weights: number[] }[] = [];
  let trace = 0;
  for (let r = 0; r < runsCount; r++) {
    const v = rng.rademacherVector(op.dim);
    const res = await lanczos(op, {
      steps: m,
      init: v,
      ...(options.onProgress
        ? { onProgress: (p) => options.onProgress?.({ done: r * m + p.done, total: runsCount * m }) }
        : {}),
    });
    runs.push({ nodes: res.ritzValues, weights: res.ritzWeights });
    trace += (op.dim * res.ritzValues.reduce((s, t, i) => s + t * res.ritzWeights[i]!, 0)) / runsCount;
  }
  const all = runs.flatMap((r) => r.nodes);
  const width = Math.max(...all) - Math.min(...all);
  const sigma2 = options.sigmaSquared ?? 1e-5 * Math.max(1, width);
  if (!(sigma2 > 0 && Number.isFinite(sigma2))) {
    throw new SamConfigError(
      `spectralDensity sigmaSquared is ${sigma2}: it must be a positive variance such as 1e-5 * (lambda_max - lambda_min).`,
    );
  }
  const sigma = Math.sqrt(sigma2);
  // Pad by 6 sigma (at least PyHessian's 0.01) so that the peaks at the ends keep their mass.
  const pad = Math.max(0.01, 6 * sigma);
  const lo = Math.min(...all) - pad;
  const hi = Math.max(...all) + pad;
  const gridSize = options.gridSize ?? defaultGridSize(hi - lo, sigma);
  const dx = (hi - lo) / (gridSize - 1);
  const grid = Array.from({ length: gridSize }, (_, i) => lo + dx * i);
  const density = new Float64Array(gridSize);
  const norm = 1 / (Math.sqrt(2 * Math.PI * sigma2) * runsCount);
  for (const run of runs) {
    run.nodes.forEach((t, k) => {
      const w = run.weights[k]! * norm;
      const from = Math.max(0, Math.floor((t - 10 * sigma - lo) / dx));
      const to = Math.min(gridSize - 1, Math.ceil((t + 10 * sigma - lo) / dx));
      for (let i = from; i <= to; i++)
        density[i] = density[i]! + w * Math.exp(-((grid[i]! - t) ** 2) / (2 * sigma2));
    });
  }
  const area = density.reduce((a, b) => a + b, 0) * dx;
  return {
    runs,
    grid,
    density: Array.from(density, (d) => (area > 0 ? d / area : 0)),
    traceEstimate: trace,
    sigmaSquared: sigma2,
  };
}

/** max(1000, ceil(4 width / sigma) + 1) points, refused past {@link MAX_DEFAULT_GRID}. */
function defaultGridSize(width: number, sigma: number): number {
  const size = Math.max(1000, Math.ceil((SPECTRAL_GRID_POINTS_PER_SIGMA * width) / sigma) + 1);
  if (size > MAX_DEFAULT_GRID) {
    throw new SamConfigError(
      `spectralDensity: a spectrum ${width.toPrecision(4)} wide with sigma = ${sigma.toPrecision(4)} needs ` +
        `${size} grid points to resolve its peaks (more than ${MAX_DEFAULT_GRID}): pass a larger sigmaSquared ` +
        `(at least ${((SPECTRAL_GRID_POINTS_PER_SIGMA * width) / MAX_DEFAULT_GRID) ** 2}) or an explicit gridSize.`,
    );
  }
  return size;
}

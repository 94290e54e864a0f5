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
  /** Points of the density grid. Default 1000. */
  readonly gridSize?: number;
  /** Gaussian smoothing variance sigma^2. Default 1e-5 * max(1, lambda_max - lambda_min) (PyHessian). */
  readonly sigmaSquared?: number;
  /** Seed of the probes. Default 1. */
  readonly seed?: number;
  /** Called after every operator application. */
  readonly onProgress?: OnProgress;
}

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
 * [min theta - 0.01, max theta + 0.01], normalised to integrate to 1. With m >= the number
 * of distinct eigenvalues the nodes are the spectrum itself.
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
  const gridSize = options.gridSize ?? 1000;
  if (!Number.isInteger(runsCount) || runsCount < 1) {
    throw new SamConfigError(
      `spectralDensity runs is ${runsCount}: it must be a positive integer such as 1.`,
    );
  }
  if (!Number.isInteger(gridSize) || gridSize < 2) {
    throw new SamConfigError(
      `spectralDensity gridSize is ${gridSize}: it must be an integer >= 2 such as 1000.`,
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
  const lo = Math.min(...all) - 0.01;
  const hi = Math.max(...all) + 0.01;
  const sigma2 = options.sigmaSquared ?? 1e-5 * Math.max(1, hi - lo - 0.02);
  const grid = Array.from({ length: gridSize }, (_, i) => lo + ((hi - lo) * i) / (gridSize - 1));
  const density = grid.map((x) => {
    let s = 0;
    for (const run of runs) {
      run.nodes.forEach((t, i) => {
        s += (run.weights[i]! * Math.exp(-((x - t) ** 2) / (2 * sigma2))) / Math.sqrt(2 * Math.PI * sigma2);
      });
    }
    return s / runsCount;
  });
  const dx = (hi - lo) / (gridSize - 1);
  const area = density.reduce((a, b) => a + b, 0) * dx;
  return {
    runs,
    grid,
    density: density.map((d) => (area > 0 ? d / area : 0)),
    traceEstimate: trace,
    sigmaSquared: sigma2,
  };
}

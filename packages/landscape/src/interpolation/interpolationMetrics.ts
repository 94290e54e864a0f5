import { SamConfigError } from "@sam/core";

/** Options of {@link interpolationMetrics}. */
export interface InterpolationMetricsOptions {
  /** Number of classes C, for the plateau at chance level ln C. Default: no plateau metric. */
  readonly classes?: number;
  /** Band around ln C that counts as the plateau. Default 0.1. */
  readonly plateauDelta?: number;
  /** Tolerance of the monotonicity test. Default 1e-4 max(1, |L(0)|) (float noise). */
  readonly tol?: number;
}

/** Shape metrics of a loss curve along a linear path (plain JSON; `null` where undefined). */
export interface InterpolationMetrics {
  /** L(alpha_{i+1}) <= L(alpha_i) + tol for every step on [0, 1] (the MLI property). */
  monotone: boolean;
  /** Largest rise max_{i<j} (L_j - L_i) on [0, 1]; 0 iff monotone (up to tol). */
  maxRise: number;
  /** max L(alpha) - L(0) on [0, 1]: is the path ever worse than the start? */
  barrierVsStart: number | null;
  /** max [L(alpha) - ((1 - alpha) L(0) + alpha L(1))] on [0, 1]: the linear-mode-connectivity barrier. */
  barrierVsChord: number | null;
  /** Fraction of alpha in [0, 1] with |L(alpha) - ln C| < delta (needs `classes`). */
  plateauFraction: number | null;
  /** First alpha in [0, 1] with L <= (L(0) + L(1)) / 2. */
  alphaHalf: number | null;
  /** Points with a non-finite loss (left out of every other metric). */
  nonFinite: number;
}

/**
 * Metrics of a sampled curve L_i = L(alpha_i), computed on the points with alpha in [0, 1]
 * and a finite loss (extrapolated points are for plotting only):
 *
 * | metric | definition |
 * | --- | --- |
 * | `monotone` | L_{i+1} <= L_i + tol for every i |
 * | `maxRise` | max over i < j of (L_j - L_i) (Lucas et al.'s bump height) |
 * | `barrierVsStart` | max_alpha L(alpha) - L(0) |
 * | `barrierVsChord` | max_alpha [L(alpha) - ((1 - alpha) L(0) + alpha L(1))] (Frankle et al. 2020) |
 * | `plateauFraction` | fraction of alpha with abs(L(alpha) - ln C) < delta (Frankle's plateau) |
 * | `alphaHalf` | first alpha with L <= (L(0) + L(1)) / 2 |
 *
 * `barrierVsStart`, `barrierVsChord` and `alphaHalf` need alpha = 0 and alpha = 1 on the
 * grid with finite losses, else they are `null`. On the double well (x^2 - 1)^2 from
 * x = -1.2 to 1 on 51 points: barrierVsChord 0.9128, barrierVsStart 0.8064, maxRise 0.998.
 *
 * @example
 * ```ts
 * import { alphaGrid, interpolationMetrics } from "@sam/landscape";
 *
 * const alphas = alphaGrid(0, 1, 11);
 * const m = interpolationMetrics(alphas, alphas.map((a) => (1 - a) ** 2));
 * m.monotone; // true
 * ```
 */
export function interpolationMetrics(
  alphas: readonly number[],
  losses: readonly (number | null)[],
  options: InterpolationMetricsOptions = {},
): InterpolationMetrics {
  if (alphas.length !== losses.length) {
    throw new SamConfigError(
      `interpolationMetrics got ${alphas.length} alphas and ${losses.length} losses: pass one loss per alpha.`,
    );
  }
  const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);
  const nonFinite = losses.filter((v) => !finite(v)).length;
  const pts = alphas
    .map((a, i) => [a, losses[i]] as const)
    .filter(([a, l]) => a >= -1e-12 && a <= 1 + 1e-12 && finite(l))
    .sort((p, q) => p[0] - q[0]) as [number, number][];
  const l0 = pts.find(([a]) => Math.abs(a) < 1e-9)?.[1];
  const l1 = pts.find(([a]) => Math.abs(a - 1) < 1e-9)?.[1];
  const tol = options.tol ?? 1e-4 * Math.max(1, Math.abs(l0 ?? pts[0]?.[1] ?? 0));
  let monotone = true;
  let maxRise = 0;
  let runningMin = Number.POSITIVE_INFINITY;
  pts.forEach(([, l], i) => {
    if (i > 0 && l > pts[i - 1]![1] + tol) monotone = false;
    maxRise = Math.max(maxRise, l - runningMin);
    runningMin = Math.min(runningMin, l);
  });
  const haveEnds = l0 !== undefined && l1 !== undefined;
  const barrierVsStart = haveEnds ? Math.max(...pts.map(([, l]) => l)) - l0! : null;
  const barrierVsChord = haveEnds ? Math.max(...pts.map(([a, l]) => l - ((1 - a) * l0! + a * l1!))) : null;
  let plateauFraction: number | null = null;
  if (options.classes !== undefined) {
    if (!(options.classes >= 2)) {
      throw new SamConfigError(
        `interpolationMetrics classes is ${options.classes}: it must be >= 2 (e.g. 10 for CIFAR-10).`,
      );
    }
    const chance = Math.log(options.classes);
    const delta = options.plateauDelta ?? 0.1;
    plateauFraction = pts.length
      ? pts.filter(([, l]) => Math.abs(l - chance) < delta).length / pts.length
      : null;
  }
  const alphaHalf = haveEnds ? (pts.find(([, l]) => l <= (l0! + l1!) / 2)?.[0] ?? null) : null;
  return { monotone, maxRise, barrierVsStart, barrierVsChord, plateauFraction, alphaHalf, nonFinite };
}

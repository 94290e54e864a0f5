import { type ParamSet, SamConfigError } from "@sam/core";
import { type EvaluatorLike, toEvaluator } from "../evaluation/evaluator";
import { directionCosine, sweep } from "../internal/sweep";
import { alphaGrid } from "../interpolation/alphaGrid";
import type { ParamState } from "../paramState";
import type { OnProgress } from "../progress";
import { checkDirection, type Direction } from "./direction";
import { checkCenter } from "./slice1d";

/** Options of {@link slice2d}. */
export interface Slice2dOptions {
  readonly params: ParamSet;
  /** Two directions (random filter-normalised ones, or e.g. {@link trajectoryDirections}). */
  readonly directions: readonly [Direction, Direction];
  readonly evaluate: EvaluatorLike;
  /** The centre theta*. Default: the current weights. */
  readonly center?: ParamState;
  /** Coefficients along the first direction. Default 21 points on [-1, 1]. */
  readonly xs?: readonly number[];
  /** Coefficients along the second direction. Default: `xs`. */
  readonly ys?: readonly number[];
  readonly onProgress?: OnProgress;
}

/** What {@link slice2d} measured (plain JSON; non-finite values are `null`). */
export interface Slice2dResult {
  xs: number[];
  ys: number[];
  /** `loss[j][i]` = L(theta* + xs[i] d1 + ys[j] d2); `null` where not finite. */
  loss: (number | null)[][];
  accuracy?: (number | null)[][];
  /** Cosine between the two directions (near 0 for random ones). */
  cosine: number;
  /** Grid points whose loss was not finite. */
  nonFinite: { x: number; y: number }[];
}

/**
 * A 2-D slice f(alpha, beta) = L(theta* + alpha d1 + beta d2) on a grid (Li et al. 2018):
 * the data of contour and heat-map plots. Costs |xs| |ys| evaluations; the weights are
 * restored exactly afterwards. On a quadratic it equals
 * (alpha^2 d1.A d1 + 2 alpha beta d1.A d2 + beta^2 d2.A d2) / 2 at the minimum.
 *
 * @example
 * ```ts
 * import { randomDirection, slice2d, slicePlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const surface = await slice2d({
 *   params, evaluate: lossFn,
 *   directions: [randomDirection(params, { seed: 1 }), randomDirection(params, { seed: 2 })],
 *   onProgress: ({ done, total }) => console.log(`${done}/${total}`),
 * });
 * await writePlot(slicePlot(surface), "out/surface");
 * ```
 */
export async function slice2d(options: Slice2dOptions): Promise<Slice2dResult> {
  const { params, directions, center } = options;
  if (!Array.isArray(directions) || directions.length !== 2) {
    throw new SamConfigError(
      `slice2d directions has ${Array.isArray(directions) ? directions.length : typeof directions} entries: pass exactly two directions [d1, d2].`,
    );
  }
  checkDirection(params, directions[0], "slice2d directions[0]");
  checkDirection(params, directions[1], "slice2d directions[1]");
  if (center) checkCenter(params, center);
  const xs = [...(options.xs ?? alphaGrid(-1, 1, 21))];
  const ys = [...(options.ys ?? xs)];
  const points = ys.flatMap((y) => xs.map((x) => [x, y] as const));
  const evals = await sweep(
    params,
    center,
    directions,
    points,
    toEvaluator(options.evaluate),
    options.onProgress,
  );
  const clean = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const grid = (pick: (i: number) => number | null) =>
    ys.map((_, j) => xs.map((_, i) => pick(j * xs.length + i)));
  const loss = grid((k) => clean(evals[k]!.loss));
  const hasAccuracy = evals.some((e) => e.accuracy !== undefined);
  return {
    xs,
    ys,
    loss,
    ...(hasAccuracy ? { accuracy: grid((k) => clean(evals[k]!.accuracy)) } : {}),
    cosine: directionCosine(directions[0], directions[1]),
    nonFinite: points
      .filter((_, k) => loss[Math.floor(k / xs.length)]![k % xs.length] === null)
      .map(([x, y]) => ({ x, y })),
  };
}

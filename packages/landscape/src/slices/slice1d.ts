import { type ParamSet, SamConfigError } from "@sam/core";
import { type EvaluatorLike, toEvaluator } from "../evaluation/evaluator";
import { sweep } from "../internal/sweep";
import { alphaGrid } from "../interpolation/alphaGrid";
import { type ParamState, stateProblems } from "../paramState";
import type { OnProgress } from "../progress";
import { checkDirection, type Direction } from "./direction";

/** Options of {@link slice1d}. */
export interface Slice1dOptions {
  readonly params: ParamSet;
  /** The direction d (e.g. `randomDirection(params)`, filter-normalised). */
  readonly direction: Direction;
  /** How to evaluate. */
  readonly evaluate: EvaluatorLike;
  /** The centre theta*. Default: the current weights. */
  readonly center?: ParamState;
  /** Coefficients alpha. Default 51 points on [-1, 1] (Li et al.). */
  readonly alphas?: readonly number[];
  readonly onProgress?: OnProgress;
}

/** What {@link slice1d} measured (plain JSON; non-finite values are `null`). */
export interface Slice1dResult {
  alphas: number[];
  loss: (number | null)[];
  accuracy?: (number | null)[];
  /** Alphas whose loss was not finite. */
  nonFinite: number[];
}

/**
 * A 1-D slice f(alpha) = L(theta* + alpha d) through the centre along one direction
 * (Li et al. 2018). With a filter-normalised d, alpha = 1 is a step as large as the weights,
 * filter by filter. The weights are restored exactly afterwards.
 *
 * @example
 * ```ts
 * import { randomDirection, slice1d } from "@sam/landscape";
 *
 * const curve = await slice1d({ params, direction: randomDirection(params), evaluate: lossFn });
 * ```
 */
export async function slice1d(options: Slice1dOptions): Promise<Slice1dResult> {
  const { params, direction, center } = options;
  checkDirection(params, direction, "slice1d direction");
  if (center) checkCenter(params, center);
  const alphas = [...(options.alphas ?? alphaGrid(-1, 1, 51))];
  const evals = await sweep(
    params,
    center,
    [direction],
    alphas.map((a) => [a]),
    toEvaluator(options.evaluate),
    options.onProgress,
  );
  const clean = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const loss = evals.map((e) => clean(e.loss));
  const hasAccuracy = evals.some((e) => e.accuracy !== undefined);
  return {
    alphas,
    loss,
    ...(hasAccuracy ? { accuracy: evals.map((e) => clean(e.accuracy)) } : {}),
    nonFinite: alphas.filter((_, i) => loss[i] === null),
  };
}

/** Throws listing every mismatch between a centre state and the parameters. */
export function checkCenter(params: ParamSet, center: ParamState): void {
  const problems = stateProblems(params, center, "center");
  if (problems.length > 0) {
    throw new SamConfigError(
      `The centre does not fit the parameters: ${problems.join("; ")}. Capture it with captureState(params).`,
    );
  }
}

import { createRng, SamConfigError } from "@sam/core";
import { dot } from "../internal/vec";
import { type OnProgress, yieldToEventLoop } from "../progress";
import type { LinearOperator } from "./linearOperator";

/** Options of {@link hutchinsonTrace}. */
export interface HutchinsonOptions {
  /** Probes at most. Default 100 (PyHessian). */
  readonly maxIter?: number;
  /** Probes at least before the stopping rule applies. Default 10. */
  readonly minIter?: number;
  /** Stop when the standard error of the mean is below tol * |mean|. Default 1e-3. */
  readonly tol?: number;
  /** Probe distribution: `'rademacher'` (default, lower variance, exact on diagonal matrices) or `'gaussian'`. */
  readonly distribution?: "rademacher" | "gaussian";
  /** Seed of the probes. Default 1. */
  readonly seed?: number;
  /** Called after every probe. */
  readonly onProgress?: OnProgress;
}

/** What {@link hutchinsonTrace} estimated. */
export interface HutchinsonResult {
  /** The estimate of tr(A): the mean of the probe values. */
  trace: number;
  /** Standard error of that mean, s / sqrt(probes) (0 with one probe). Report trace +- 3 standardError. */
  standardError: number;
  /** Number of probes used. */
  probes: number;
  /** Each probe's value v^T A v. */
  samples: number[];
  /** Whether the stopping rule was met before `maxIter`. */
  converged: boolean;
}

/**
 * Hutchinson's estimator of the trace: tr(A) = E[v^T A v] for any probe v with
 * E[v v^T] = I, estimated by the mean of m probes. Single-probe variance:
 * 2 (||A||_F^2 - sum_i A_ii^2) for Rademacher probes (so a diagonal A is exact), 2 ||A||_F^2
 * for Gaussian ones. On A = [[2, 1], [1, 3]] Rademacher probes give exactly 3 or 7 (mean 5,
 * variance 4). The result carries the standard error of the mean: the statistical
 * tolerance of the estimate. One operator application per probe.
 *
 * @example
 * ```ts
 * import { hessianOperator, hutchinsonTrace } from "@sam/landscape";
 *
 * const op = hessianOperator(params, lossFn);
 * const { trace, standardError } = await hutchinsonTrace(op, { maxIter: 50 });
 * op.dispose();
 * ```
 */
export async function hutchinsonTrace(
  op: LinearOperator,
  options: HutchinsonOptions = {},
): Promise<HutchinsonResult> {
  const maxIter = options.maxIter ?? 100;
  const minIter = Math.min(options.minIter ?? 10, maxIter);
  const tol = options.tol ?? 1e-3;
  const distribution = options.distribution ?? "rademacher";
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new SamConfigError(
      `hutchinsonTrace maxIter is ${maxIter}: it must be a positive integer such as 100.`,
    );
  }
  if (distribution !== "rademacher" && distribution !== "gaussian") {
    throw new SamConfigError(
      `hutchinsonTrace distribution is ${JSON.stringify(distribution)}: use "rademacher" or "gaussian".`,
    );
  }
  const rng = createRng(options.seed ?? 1);
  const samples: number[] = [];
  let converged = false;
  let mean = 0;
  let se = 0;
  while (samples.length < maxIter) {
    const v = distribution === "rademacher" ? rng.rademacherVector(op.dim) : rng.normalVector(op.dim);
    samples.push(dot(v, op.apply(v)));
    options.onProgress?.({ done: samples.length, total: maxIter });
    ({ mean, se } = meanAndError(samples));
    if (samples.length >= minIter && se <= tol * Math.abs(mean)) {
      converged = true;
      break;
    }
    await yieldToEventLoop();
  }
  return { trace: mean, standardError: se, probes: samples.length, samples, converged };
}

function meanAndError(xs: readonly number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, se: 0 };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n) };
}

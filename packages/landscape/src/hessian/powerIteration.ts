import { createRng, SamConfigError } from "@sam/core";
import { dot, norm, normalize, orthogonalize, scale } from "../internal/vec";
import { type OnProgress, yieldToEventLoop } from "../progress";
import type { LinearOperator } from "./linearOperator";

/** Options of {@link powerIteration}. */
export interface PowerIterationOptions {
  /** How many eigenvalues (largest in magnitude, found one after the other by deflation). Default 1. */
  readonly k?: number;
  /** Iterations per eigenvalue at most. Default 100 (PyHessian). */
  readonly maxIter?: number;
  /** Stop when |lambda_t - lambda_{t-1}| / (|lambda_{t-1}| + 1e-6) < tol. Default 1e-3 (PyHessian). */
  readonly tol?: number;
  /** Seed of the random start vectors. Default 1. */
  readonly seed?: number;
  /** Start vector of the first eigenvalue (e.g. the previous eigenvector, to warm-start a tracker). */
  readonly init?: ArrayLike<number>;
  /** Called after every operator application. */
  readonly onProgress?: OnProgress;
}

/** What {@link powerIteration} found. */
export interface PowerIterationResult {
  /** Eigenvalues, in the order found (decreasing magnitude). */
  values: number[];
  /** Unit eigenvectors, `vectors[j]` for `values[j]`. */
  vectors: Float64Array[];
  /** Iterations used for each eigenvalue. */
  iterations: number[];
  /** Whether each met the tolerance within `maxIter`. */
  converged: boolean[];
}

/**
 * Top eigenvalues of a symmetric operator by power iteration with deflation.
 *
 * For j = 1..k: start from a unit vector v (random, or `init`), then repeat
 *   w = A v,  lambda = v . w (the Rayleigh quotient),  v = w / ||w||,
 * re-orthogonalising v against the eigenvectors already found every iteration, until the
 * relative change of lambda falls below `tol`. The Rayleigh quotient error falls like
 * (lambda_2 / lambda_1)^(2t). It converges to the eigenvalue of largest *magnitude*: with
 * spectrum {-12, 10, ...} it returns -12 (shift the operator to find the most negative one).
 * Cost: one operator application (one HVP, two gradients) per iteration.
 *
 * @example
 * ```ts
 * import { hessianOperator, powerIteration } from "@sam/landscape";
 *
 * const op = hessianOperator(params, lossFn);
 * const { values, converged } = await powerIteration(op, { k: 3, maxIter: 20 });
 * op.dispose();
 * ```
 */
export async function powerIteration(
  op: LinearOperator,
  options: PowerIterationOptions = {},
): Promise<PowerIterationResult> {
  const k = options.k ?? 1;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-3;
  if (!Number.isInteger(k) || k < 1 || k > op.dim) {
    throw new SamConfigError(
      `powerIteration k is ${k}: it must be an integer in [1, ${op.dim}] (the operator's dimension).`,
    );
  }
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new SamConfigError(
      `powerIteration maxIter is ${maxIter}: it must be a positive integer such as 100.`,
    );
  }
  if (options.init && options.init.length !== op.dim) {
    throw new SamConfigError(
      `powerIteration init has length ${options.init.length} but the operator has dimension ${op.dim}. Pass a vector over the same parameters.`,
    );
  }
  const rng = createRng(options.seed ?? 1);
  const result: PowerIterationResult = { values: [], vectors: [], iterations: [], converged: [] };
  let done = 0;
  for (let j = 0; j < k; j++) {
    let v =
      j === 0 && options.init && norm(options.init) > 0
        ? Float64Array.from(options.init)
        : rng.normalVector(op.dim);
    v = normalize(orthogonalize(v, result.vectors));
    let lambda = Number.NaN;
    let converged = false;
    let it = 0;
    while (it < maxIter) {
      it++;
      const w = orthogonalize(op.apply(v), result.vectors);
      options.onProgress?.({ done: ++done, total: k * maxIter });
      const next = dot(v, w);
      const wNorm = norm(w);
      const change = Math.abs(next - lambda) / (Math.abs(lambda) + 1e-6);
      lambda = next;
      if (!Number.isFinite(lambda)) break;
      if (wNorm === 0) {
        converged = true; // v is in the null space: eigenvalue 0
        break;
      }
      v = scale(1 / wNorm, w);
      if (change < tol) {
        converged = true;
        break;
      }
      await yieldToEventLoop();
    }
    result.values.push(lambda);
    result.vectors.push(v);
    result.iterations.push(it);
    result.converged.push(converged);
  }
  return result;
}

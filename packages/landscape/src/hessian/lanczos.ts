import { createRng, SamConfigError } from "@sam/core";
import { symmetricEigen } from "../internal/symmetricEigen";
import { axpy, dot, norm, normalize, orthogonalize, scale } from "../internal/vec";
import { type OnProgress, yieldToEventLoop } from "../progress";
import type { LinearOperator } from "./linearOperator";

/** Options of {@link lanczos}. */
export interface LanczosOptions {
  /** Lanczos steps m (the Krylov dimension). Default min(dim, 30). */
  readonly steps?: number;
  /** How many of the largest Ritz values to return as `values`. Default 1. */
  readonly k?: number;
  /** Start vector (default: random normal from `seed`). */
  readonly init?: ArrayLike<number>;
  /** Seed of the random start vector. Default 1. */
  readonly seed?: number;
  /** Also return the Ritz vectors of `values` (costs m * dim memory). Default false. */
  readonly vectors?: boolean;
  /** Called after every operator application. */
  readonly onProgress?: OnProgress;
}

/** What {@link lanczos} found. */
export interface LanczosResult {
  /** The k largest Ritz values, descending. */
  values: number[];
  /** Unit Ritz vectors of `values`, when asked. */
  vectors?: Float64Array[];
  /** Every Ritz value, descending. */
  ritzValues: number[];
  /** Squared first components of the eigenvectors of T, in the order of `ritzValues` (SLQ weights; they sum to 1). */
  ritzWeights: number[];
  /** The tridiagonal T: diagonal alpha and off-diagonal beta. */
  alpha: number[];
  beta: number[];
  /** Steps actually run (fewer than asked when the Krylov space is exhausted). */
  steps: number;
}

/**
 * The Lanczos method with full re-orthogonalisation: m steps build an orthonormal basis
 * q_1..q_m of the Krylov space span{v, A v, ..., A^(m-1) v} and the tridiagonal
 * T = Q^T A Q (diagonal alpha_j = q_j . A q_j, off-diagonal beta_j = ||r_j||, where
 * r_j = A q_j - alpha_j q_j - beta_(j-1) q_(j-1), re-orthogonalised against every q). The
 * eigenvalues of T (Ritz values) approximate the extreme eigenvalues of A much faster than
 * power iteration: 20 steps recover lambda_1 = 10 and lambda_2 = 5 of a 50x50 matrix to
 * machine precision. Full re-orthogonalisation is needed because float32 products lose
 * orthogonality quickly (ghost eigenvalues otherwise). One operator application per step.
 *
 * @example
 * ```ts
 * import { hessianOperator, lanczos } from "@sam/landscape";
 *
 * const op = hessianOperator(params, lossFn);
 * const { values } = await lanczos(op, { steps: 20, k: 5 }); // top-5 eigenvalues
 * op.dispose();
 * ```
 */
export async function lanczos(op: LinearOperator, options: LanczosOptions = {}): Promise<LanczosResult> {
  const m = options.steps ?? Math.min(op.dim, 30);
  const k = options.k ?? 1;
  if (!Number.isInteger(m) || m < 1 || m > op.dim) {
    throw new SamConfigError(
      `lanczos steps is ${m}: it must be an integer in [1, ${op.dim}] (the operator's dimension).`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k > m) {
    throw new SamConfigError(
      `lanczos k is ${k}: it must be an integer in [1, steps = ${m}]. Raise steps or lower k.`,
    );
  }
  if (options.init && options.init.length !== op.dim) {
    throw new SamConfigError(
      `lanczos init has length ${options.init.length} but the operator has dimension ${op.dim}.`,
    );
  }
  const start = options.init
    ? Float64Array.from(options.init)
    : createRng(options.seed ?? 1).normalVector(op.dim);
  if (norm(start) === 0)
    throw new SamConfigError("lanczos init is the zero vector: pass a non-zero start vector.");
  const q: Float64Array[] = [normalize(start)];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let j = 0; j < m; j++) {
    const r = op.apply(q[j]!);
    options.onProgress?.({ done: j + 1, total: m });
    const a = dot(q[j]!, r);
    alpha.push(a);
    if (j === m - 1) break;
    axpy(-a, q[j]!, r);
    if (j > 0) axpy(-beta[j - 1]!, q[j - 1]!, r);
    orthogonalize(r, q);
    const b = norm(r);
    if (!(b > 1e-10 * Math.max(1, Math.abs(a)))) break; // invariant subspace found: T is exact
    beta.push(b);
    q.push(scale(1 / b, r));
    await yieldToEventLoop();
  }
  const steps = alpha.length;
  const t = Array.from({ length: steps }, (_, i) =>
    Array.from({ length: steps }, (_, j) =>
      i === j ? alpha[i]! : Math.abs(i - j) === 1 ? beta[Math.min(i, j)]! : 0,
    ),
  );
  const eig = symmetricEigen(t);
  const kk = Math.min(k, steps);
  const result: LanczosResult = {
    values: eig.values.slice(0, kk),
    ritzValues: eig.values,
    ritzWeights: eig.vectors.map((s) => s[0]! ** 2),
    alpha,
    beta: beta.slice(0, steps - 1),
    steps,
  };
  if (options.vectors) {
    result.vectors = eig.vectors.slice(0, kk).map((s) => {
      const v = new Float64Array(op.dim);
      s.forEach((c, i) => axpy(c, q[i]!, v));
      return normalize(v);
    });
  }
  return result;
}

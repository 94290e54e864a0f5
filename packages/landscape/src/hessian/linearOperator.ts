import { SamConfigError } from "@sam/core";

/**
 * A symmetric linear map v -> A v on R^dim, given only by its action: what the Krylov
 * methods ({@link powerIteration}, {@link lanczos}, {@link hutchinsonTrace},
 * {@link spectralDensity}) need. Vectors are `Float64Array`s of length `dim`, so the
 * methods run in double precision in JS while the products themselves may run in float32
 * on a tfjs backend.
 *
 * @example
 * ```ts
 * import { lanczos, type LinearOperator } from "@sam/landscape";
 *
 * const diag: LinearOperator = { dim: 3, apply: (v) => v.map((x, i) => (i + 1) * x) };
 * const { values } = await lanczos(diag, { steps: 3, k: 3 }); // [3, 2, 1]
 * ```
 */
export interface LinearOperator {
  /** Dimension n of the space. */
  readonly dim: number;
  /** Returns A v (a new array; `v` is not modified). */
  apply(v: Float64Array): Float64Array;
  /** How many products have been computed so far (for cost accounting). */
  readonly applications?: number;
  /** Frees whatever the operator holds (tensors, buffers). */
  dispose?(): void;
}

/**
 * A {@link LinearOperator} from an explicit symmetric matrix, for tests and small problems.
 *
 * @example
 * ```ts
 * import { matrixOperator, powerIteration } from "@sam/landscape";
 *
 * const op = matrixOperator([[2, 1], [1, 3]]);
 * const { values } = await powerIteration(op); // [3.618...]
 * ```
 */
export function matrixOperator(matrix: readonly (readonly number[])[]): LinearOperator {
  const n = matrix.length;
  matrix.forEach((row, i) => {
    if (row.length !== n) {
      throw new SamConfigError(
        `matrixOperator: row ${i} has ${row.length} entries but the matrix has ${n} rows. Pass a square matrix.`,
      );
    }
  });
  let count = 0;
  return {
    dim: n,
    get applications() {
      return count;
    },
    apply(v) {
      count++;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        const row = matrix[i]!;
        for (let j = 0; j < n; j++) s += row[j]! * v[j]!;
        out[i] = s;
      }
      return out;
    },
  };
}

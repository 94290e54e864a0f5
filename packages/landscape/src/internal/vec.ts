/** Dense vector helpers on `Float64Array` (the Krylov methods run in double precision in JS). */

/** v . w */
export function dot(v: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * w[i]!;
  return s;
}

/** ||v||_2 */
export function norm(v: ArrayLike<number>): number {
  return Math.sqrt(dot(v, v));
}

/** y <- y + a x, in place; returns y. */
export function axpy(a: number, x: ArrayLike<number>, y: Float64Array): Float64Array {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
  return y;
}

/** a v, as a new vector. */
export function scale(a: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = a * v[i]!;
  return out;
}

/** v / ||v|| (a zero vector stays zero). */
export function normalize(v: ArrayLike<number>): Float64Array {
  const n = norm(v);
  return scale(n > 0 ? 1 / n : 0, v);
}

/** Removes from `v`, in place, its components along each (unit) vector of `basis` (twice, for stability). */
export function orthogonalize(v: Float64Array, basis: readonly ArrayLike<number>[]): Float64Array {
  for (let pass = 0; pass < 2; pass++) for (const b of basis) axpy(-dot(v, b), b, v);
  return v;
}

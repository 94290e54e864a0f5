import { createRng, fromVariables, type ParamSet } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/** A random orthogonal n x n matrix (Gram-Schmidt on a Gaussian matrix), for test problems. */
export function randomOrthogonal(n: number, seed: number): number[][] {
  const rng = createRng(seed);
  const q: number[][] = [];
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (let pass = 0; pass < 2; pass++) {
      for (const b of q) {
        const d = v.reduce((s, x, k) => s + x * b[k]!, 0);
        for (let k = 0; k < n; k++) v[k]! -= d * b[k]!;
      }
    }
    const nv = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    q.push(v.map((x) => x / nv));
  }
  return q;
}

/** A = Q diag(spectrum) Q^T with a random orthogonal Q. */
export function matrixWithSpectrum(spectrum: readonly number[], seed: number): number[][] {
  const n = spectrum.length;
  const q = randomOrthogonal(n, seed);
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => spectrum.reduce((s, l, k) => s + l * q[k]![i]! * q[k]![j]!, 0)),
  );
}

/**
 * The quadratic L(w) = 1/2 (w - c)^T A (w - c) over one variable `w` (split in two
 * parameters `a` and `b` to exercise multi-parameter vectors), with known Hessian A.
 */
export function quadraticProblem(matrix: number[][], offset = 0.3, seed = 5) {
  const n = matrix.length;
  const rng = createRng(seed);
  const c = Array.from({ length: n }, () => rng.normal());
  const w0 = c.map((x) => x + offset * rng.normal());
  const half = Math.floor(n / 2);
  const a = tf.variable(tf.tensor1d(w0.slice(0, half)), true, `qa${seed}_${Math.random()}`);
  const b = tf.variable(tf.tensor2d(w0.slice(half), [n - half, 1]), true, `qb${seed}_${Math.random()}`);
  const A = tf.tensor2d(matrix);
  const cT = tf.tensor2d(c, [n, 1]);
  const params: ParamSet = fromVariables({ a, b });
  const loss = () =>
    tf.tidy(() => {
      const d = tf.sub(tf.concat([tf.reshape(a, [half, 1]), b]), cT);
      return tf.mul(0.5, tf.sum(tf.mul(d, tf.matMul(A, d)))) as tf.Scalar;
    });
  return { params, loss, a, b, dispose: () => tf.dispose([a, b, A, cT]) };
}

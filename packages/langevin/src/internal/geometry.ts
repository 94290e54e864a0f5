import * as tf from "@tensorflow/tfjs-core";
import type { ResolvedConstraint } from "../constraint";

// Constraint geometry on tensors, in the tfjs layout: a tensor is viewed as the matrix
// M = reshape(x, [n, m]) with n = fanIn, m = units (see `matrixShape`). All functions run
// inside the optimizer's tidy and return new tensors of the parameter's shape.
//
// Symbols: W the current point, W0 the point before a position move, Wt ("W tilde") the
// unconstrained move, B / P a momentum or a direction, sym(X) = (X + X^T) / 2, r the radius.

/** Transpose of a matrix, or of each matrix of a stack `[b, n, m]`. */
const transpose = (x: tf.Tensor) => (x.rank === 3 ? tf.transpose(x, [0, 2, 1]) : tf.transpose(x));
const sym = (x: tf.Tensor2D) => tf.mul(0.5, tf.add(x, transpose(x))) as tf.Tensor2D;
/** The `[n, m]` view of x, or `[b, n, m]` for a stack of b matrices (stacked orthogonal). */
const asMatrix = (x: tf.Tensor, c: ResolvedConstraint) =>
  tf.reshape(x, (c.stack ?? 1) > 1 ? [c.stack!, ...c.matrix] : [...c.matrix]) as tf.Tensor as tf.Tensor2D;

/** Whether the orthogonality constraint reads `M^T M = I` (n >= m) or `M M^T = I` (n < m). */
const isTall = (c: ResolvedConstraint) => c.matrix[0] >= c.matrix[1];

/** `M^T M - I` (tall) or `M M^T - I` (wide): zero on the manifold. */
export function orthResidual(x: tf.Tensor, c: ResolvedConstraint): tf.Tensor2D {
  const w = asMatrix(x, c);
  const tall = isTall(c);
  const gram = tall ? tf.matMul(w, w, true, false) : tf.matMul(w, w, false, true);
  return tf.sub(gram, tf.eye(tall ? c.matrix[1] : c.matrix[0])) as tf.Tensor2D;
}

/** Tangent projection at W: `B - W sym(W^T B)` (tall) or `B - sym(B W^T) W` (wide). */
export function orthTangent(wx: tf.Tensor, bx: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  const w = asMatrix(wx, c);
  const b = asMatrix(bx, c);
  const out = isTall(c)
    ? tf.sub(b, tf.matMul(w, sym(tf.matMul(w, b, true, false))))
    : tf.sub(b, tf.matMul(sym(tf.matMul(b, w, false, true)), w));
  return tf.reshape(out, bx.shape);
}

/**
 * Position solve along the old normal: `W = Wt + W0 Lambda` (tall) or `Lambda W0` (wide),
 * Lambda symmetric, by `iterations` chord steps (Newton with the Jacobian frozen at W0):
 * `W <- W - 1/2 W0 (W^T W - I)` (tall), `W <- W - 1/2 (W W^T - I) W0` (wide).
 */
export function orthSolve(wtx: tf.Tensor, w0x: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  const w0 = asMatrix(w0x, c);
  const tall = isTall(c);
  let w = asMatrix(wtx, c);
  for (let k = 0; k < c.iterations; k++) {
    const r = orthResidual(w, c);
    w = tf.sub(w, tf.mul(0.5, tall ? tf.matMul(w0, r) : tf.matMul(r, w0))) as tf.Tensor2D;
  }
  return tf.reshape(w, wtx.shape);
}

/** Norms of the units' weight vectors (columns of M), shape `[1, m]`. */
const columnNorm = (w: tf.Tensor2D) => tf.sqrt(tf.sum(tf.square(w), 0, true));

/** Sphere tangent projection: remove from each column of P its component along W: `P - (W.P / r^2) W`. */
export function sphereTangent(wx: tf.Tensor, px: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  const w = asMatrix(wx, c);
  const p = asMatrix(px, c);
  const k = tf.div(tf.sum(tf.mul(w, p), 0, true), c.radius * c.radius);
  return tf.reshape(tf.sub(p, tf.mul(k, w)), px.shape);
}

/**
 * Exact solve of `|Wt_j + lambda_j W0_j| = r` per column j along the old normal: the root
 * nearest 0 of `r^2 lambda^2 + 2 b lambda + c0 = 0`, `b = Wt_j . W0_j`,
 * `c0 = |Wt_j|^2 - r^2`: `lambda = -c0 / (b + sqrt(b^2 - r^2 c0))`; where the discriminant
 * is negative or `b <= 0` (a huge step) it falls back to radial normalization. The result is
 * re-normalized to radius r (float32 drift).
 */
export function sphereSolve(wtx: tf.Tensor, w0x: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  const wt = asMatrix(wtx, c);
  const w0 = asMatrix(w0x, c);
  const r2 = c.radius * c.radius;
  const b = tf.sum(tf.mul(wt, w0), 0, true);
  const c0 = tf.sub(tf.sum(tf.square(wt), 0, true), r2);
  const disc = tf.sub(tf.square(b), tf.mul(r2, c0));
  const lambda = tf.div(tf.neg(c0), tf.add(b, tf.sqrt(tf.relu(disc))));
  const solved = tf.add(wt, tf.mul(lambda, w0));
  const bad = tf.logicalOr(tf.less(disc, 0), tf.lessEqual(b, 0));
  const w = tf.where(tf.broadcastTo(bad, wt.shape), wt, solved) as tf.Tensor2D;
  return tf.reshape(tf.mul(c.radius, tf.div(w, columnNorm(w))), wtx.shape);
}

/** Max over units of `| |w_j| - r |`, the sphere residual. */
export function sphereResidual(wx: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  return tf.max(tf.abs(tf.sub(columnNorm(asMatrix(wx, c)), c.radius)));
}

/** Circle: remove the radial part of (pw, ps): `kappa = (w pw + s ps) / r^2`. */
export function circleTangent(
  w: tf.Tensor,
  s: tf.Tensor,
  pw: tf.Tensor,
  ps: tf.Tensor,
  r: number,
): [tf.Tensor, tf.Tensor] {
  const kappa = tf.div(tf.add(tf.mul(w, pw), tf.mul(s, ps)), r * r);
  return [tf.sub(pw, tf.mul(kappa, w)), tf.sub(ps, tf.mul(kappa, s))];
}

/**
 * Circle kick with the force projected on the circle's tangent:
 * `pw <- pw - t g (1 - w^2/r^2)`, `ps <- ps + t g w s / r^2`.
 */
export function circleKick(
  w: tf.Tensor,
  s: tf.Tensor,
  pw: tf.Tensor,
  ps: tf.Tensor,
  g: tf.Tensor,
  t: number | tf.Tensor,
  r: number,
): [tf.Tensor, tf.Tensor] {
  const tg = tf.mul(g, t);
  const r2 = r * r;
  return [
    tf.sub(pw, tf.mul(tg, tf.sub(1, tf.div(tf.square(w), r2)))),
    tf.add(ps, tf.div(tf.mul(tg, tf.mul(w, s)), r2)),
  ];
}

/**
 * Circle drift: the exact geodesic, a rotation by `omega t` with
 * `omega = (s pw - w ps) / r^2`: `w' = w cos + s sin`, `s' = s cos - w sin`, both from the
 * OLD (w, s) (the authors' `circleconstraint_ud.py` overwrites w first: spec 2.6 item 1),
 * re-normalized to radius r (float32), then `pw = omega s'`, `ps = -omega w'`.
 */
export function circleDrift(
  w: tf.Tensor,
  s: tf.Tensor,
  pw: tf.Tensor,
  ps: tf.Tensor,
  t: number,
  r: number,
): { w: tf.Tensor; s: tf.Tensor; pw: tf.Tensor; ps: tf.Tensor } {
  const omega = tf.div(tf.sub(tf.mul(s, pw), tf.mul(w, ps)), r * r);
  const angle = tf.mul(omega, t);
  const cos = tf.cos(angle);
  const sin = tf.sin(angle);
  const [w1, s1] = renormalize(
    tf.add(tf.mul(w, cos), tf.mul(s, sin)),
    tf.sub(tf.mul(s, cos), tf.mul(w, sin)),
    r,
  );
  return { w: w1, s: s1, pw: tf.mul(omega, s1), ps: tf.neg(tf.mul(omega, w1)) };
}

/** `(w, s) <- r (w, s) / |(w, s)|`. */
function renormalize(w: tf.Tensor, s: tf.Tensor, r: number): [tf.Tensor, tf.Tensor] {
  const scale = tf.div(r, tf.sqrt(tf.add(tf.square(w), tf.square(s))));
  return [tf.mul(w, scale), tf.mul(s, scale)];
}

/**
 * Circle position solve along the old normal (w0, s0): `(w, s) = (wt + lambda w0, st + lambda s0)`
 * with `lambda` the root nearest 0 of `r^2 lambda^2 + 2 b lambda + c0 = 0`, `b = wt w0 + st s0`,
 * `c0 = wt^2 + st^2 - r^2`; radial normalization where the discriminant is negative or `b <= 0`.
 */
export function circleSolve(
  wt: tf.Tensor,
  st: tf.Tensor,
  w0: tf.Tensor,
  s0: tf.Tensor,
  r: number,
): [tf.Tensor, tf.Tensor] {
  const r2 = r * r;
  const b = tf.add(tf.mul(wt, w0), tf.mul(st, s0));
  const c0 = tf.sub(tf.add(tf.square(wt), tf.square(st)), r2);
  const disc = tf.sub(tf.square(b), tf.mul(r2, c0));
  const lambda = tf.div(tf.neg(c0), tf.add(b, tf.sqrt(tf.relu(disc))));
  const bad = tf.logicalOr(tf.less(disc, 0), tf.lessEqual(b, 0));
  const w = tf.where(bad, wt, tf.add(wt, tf.mul(lambda, w0)));
  const s = tf.where(bad, st, tf.add(st, tf.mul(lambda, s0)));
  return renormalize(w, s, r);
}

/** Max of `| w^2 + s^2 - r^2 |`, the circle residual. */
export function circleResidual(w: tf.Tensor, s: tf.Tensor, r: number): tf.Tensor {
  return tf.max(tf.abs(tf.sub(tf.add(tf.square(w), tf.square(s)), r * r)));
}

/** Tangent projection of a momentum for orthogonal and sphere constraints. */
export function tangent(w: tf.Tensor, p: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  return c.kind === "orthogonal" ? orthTangent(w, p, c) : sphereTangent(w, p, c);
}

/** Position solve for orthogonal and sphere constraints. */
export function solve(wt: tf.Tensor, w0: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  return c.kind === "orthogonal" ? orthSolve(wt, w0, c) : sphereSolve(wt, w0, c);
}

// Ball (the sphere inequality |w_j| <= r) as a sphere one dimension up: the [n, m] matrix
// view of w stacked over the slack row s ([m], one per unit) is the [n + 1, m] matrix whose
// columns (w_j, s_j) have norm r. Every sub-step is the sphere's on that matrix; a gradient
// has a zero slack row (L does not depend on s).

/** The sphere constraint on the `[n + 1, m]` augmented matrix of a ball constraint. */
export function ballAugmented(c: ResolvedConstraint): ResolvedConstraint {
  return { kind: "sphere", radius: c.radius, iterations: 0, matrix: [c.matrix[0] + 1, c.matrix[1]] };
}

/** `[M; s]`: the `[n, m]` view of x over the slack row (`s` of shape `[m]`, or null for zeros). */
export function stackSlack(x: tf.Tensor, s: tf.Tensor | null, c: ResolvedConstraint): tf.Tensor2D {
  const row = s ? tf.reshape(s, [1, c.matrix[1]]) : tf.zeros([1, c.matrix[1]]);
  return tf.concat([asMatrix(x, c), row], 0) as tf.Tensor2D;
}

/** Splits an augmented `[n + 1, m]` matrix into x (of `shape`) and the slack row (`[m]`). */
export function unstackSlack(
  augmented: tf.Tensor,
  c: ResolvedConstraint,
  shape: readonly number[],
): [tf.Tensor, tf.Tensor] {
  const [x, s] = tf.split(augmented, [c.matrix[0], 1], 0);
  return [tf.reshape(x!, [...shape]), tf.reshape(s!, [c.matrix[1]])];
}

/** Max over units of `| |w_j|^2 + s_j^2 - r^2 |`, the ball residual. */
export function ballResidual(x: tf.Tensor, s: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  const squared = tf.add(tf.sum(tf.square(asMatrix(x, c)), 0), tf.square(tf.reshape(s, [c.matrix[1]])));
  return tf.max(tf.abs(tf.sub(squared, c.radius * c.radius)));
}

/** Max over units of `max(0, |w_j| - r)`: how far x is outside the ball (no slack needed). */
export function ballExcess(x: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  return tf.max(tf.relu(tf.sub(columnNorm(asMatrix(x, c)), c.radius)));
}

/** `sqrt(r^2 - |w_j|^2)` per unit (`[m]`): the slack that puts x on the augmented sphere (x inside the ball). */
export function ballSlack(x: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  return tf.sqrt(tf.relu(tf.sub(c.radius * c.radius, tf.sum(tf.square(asMatrix(x, c)), 0))));
}

/** Scales every unit of x with `|w_j| > r` back to norm r (constraint-respecting initialization). */
export function ballClip(x: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  const w = asMatrix(x, c);
  const scale = tf.minimum(1, tf.div(c.radius, tf.maximum(columnNorm(w), 1e-30)));
  return tf.reshape(tf.mul(w, scale), x.shape);
}

import { rejectValue } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type ConstraintSpec, matrixShape, type ResolvedConstraint } from "./constraint";
import {
  ballClip,
  ballExcess,
  ballResidual,
  circleResidual,
  orthResidual,
  sphereResidual,
} from "./internal/geometry";

/**
 * Moves a variable onto a constraint's manifold (constraint-respecting initialization):
 * - `orthogonal`: the sign-fixed Q of a QR decomposition of the `[fanIn, units]` matrix (of
 *   its transpose when `fanIn < units`, transposed back: the authors' `initOGconstraint.py`
 *   reshapes instead of transposing, spec 2.6 item 4);
 * - `sphere`: each unit's weights rescaled to norm `radius`;
 * - `circle`: weights clipped to `[-radius, radius]`;
 * - `ball`: every unit's weights longer than `radius` rescaled to norm `radius` (the others kept).
 *
 * The rules do this themselves when they are built on weights that violate their
 * constraint (option `onInfeasible`, default `'project'`); call it to initialize by hand.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { orthogonal, projectOntoConstraint } from "@sam/langevin";
 *
 * const kernel = tf.variable(tf.randomNormal([64, 32]));
 * projectOntoConstraint(kernel, orthogonal()); // kernel^T kernel = I
 * ```
 */
export function projectOntoConstraint(variable: tf.Variable, spec: ConstraintSpec): void {
  const c = resolveFor(variable.shape, spec);
  tf.tidy(() => variable.assign(projected(variable, c)));
}

/** The projection of `projectOntoConstraint`, as a new tensor. */
export function projected(x: tf.Tensor, c: ResolvedConstraint): tf.Tensor {
  if ((c.stack ?? 1) > 1) {
    // a stack of matrices: each slice on its own
    const slices = tf.unstack(tf.reshape(x, [c.stack!, ...c.matrix]));
    return tf.reshape(tf.stack(slices.map((slice) => projected(slice, { ...c, stack: 1 }))), x.shape);
  }
  const [n, m] = c.matrix;
  const w = tf.reshape(x, [n, m]) as tf.Tensor2D;
  if (c.kind === "circle") return tf.clipByValue(x, -c.radius, c.radius);
  if (c.kind === "ball") return ballClip(x, c);
  if (c.kind === "sphere") {
    const norm = tf.sqrt(tf.sum(tf.square(w), 0, true));
    // A zero column gets the first basis vector (any unit vector will do).
    const safe = tf.where(tf.equal(norm, 0), tf.ones(norm.shape), norm);
    const filled = tf.where(
      tf.broadcastTo(tf.equal(norm, 0), w.shape),
      tf.transpose(tf.oneHot(tf.zeros([m], "int32") as tf.Tensor1D, n)),
      tf.div(w, safe),
    );
    return tf.reshape(tf.mul(filled, c.radius), x.shape);
  }
  const tall = n >= m;
  const a = tall ? w : tf.transpose(w);
  const [q, r] = tf.linalg.qr(a);
  const k = Math.min(n, m);
  const diag = tf.sum(tf.mul(tf.slice(r, [0, 0], [k, k]), tf.eye(k)), 0);
  const signs = tf.where(tf.less(diag, 0), tf.fill([k], -1), tf.ones([k]));
  const qFixed = tf.mul(tf.slice(q, [0, 0], [a.shape[0], k]), signs);
  return tf.reshape(tall ? qFixed : tf.transpose(qFixed), x.shape);
}

/**
 * Max violation of the constraint by `x`: with the slack `s` of a circle or ball, of the
 * equality `w^2 + s^2 = r^2` (`|w_j|^2 + s_j^2 = r^2`); without it, how far x is outside.
 */
export function constraintResidual(x: tf.Tensor, c: ResolvedConstraint, s?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (c.kind === "orthogonal") return tf.max(tf.abs(orthResidual(x, c))) as tf.Scalar;
    if (c.kind === "sphere") return sphereResidual(x, c) as tf.Scalar;
    if (c.kind === "ball") return (s ? ballResidual(x, s, c) : ballExcess(x, c)) as tf.Scalar;
    if (s) return circleResidual(x, s, c.radius) as tf.Scalar;
    return tf.max(tf.relu(tf.sub(tf.abs(x), c.radius))) as tf.Scalar;
  });
}

function resolveFor(shape: readonly number[], spec: ConstraintSpec): ResolvedConstraint {
  if (spec.kind === "orthogonal" && shape.length < 2) {
    rejectValue(
      "projectOntoConstraint: a variable of shape",
      shape,
      "a tensor of rank < 2 cannot be orthogonal",
      "Use sphere(1) for a unit vector.",
    );
  }
  const stacked = spec.kind === "orthogonal" && spec.stacked === true && shape.length >= 3;
  return {
    kind: spec.kind,
    radius: spec.kind === "orthogonal" ? 1 : spec.radius,
    iterations: 0,
    matrix: matrixShape(stacked ? shape.slice(1) : shape),
    ...(stacked ? { stack: shape[0]! } : {}),
  };
}

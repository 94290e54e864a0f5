import { differentiate, type Param, ParamSnapshot, SamConfigError } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/** How a Hessian-vector product is computed. */
export type HvpMethod = "fd" | "exact";

/** Options of {@link hessianVectorProduct} and {@link hessianOperator}. */
export interface HvpOptions {
  /**
   * `'fd'` (default): central finite differences of gradients, correct for every op.
   * `'exact'`: double back-propagation (nested `tf.grad`); tfjs 4.22 gets it silently wrong
   * through `tanh`, `sigmoid`, `exp`, `logSoftmax` and fails through `conv2d`, so
   * {@link hessianOperator} checks it against `'fd'` before using it.
   */
  readonly method?: HvpMethod;
  /**
   * Relative finite-difference step: eps = epsilon * max(1, ||w||) / ||v||. Default 5e-3
   * (see {@link hessianVectorProduct} for the error balance behind it).
   */
  readonly epsilon?: number;
}

/**
 * Default relative step of the finite-difference HVP (see {@link hessianVectorProduct}).
 *
 * @example
 * ```ts
 * import { DEFAULT_HVP_EPSILON, hessianOperator } from "@sam/landscape";
 *
 * const op = hessianOperator(params, lossFn, { epsilon: 2 * DEFAULT_HVP_EPSILON });
 * ```
 */
export const DEFAULT_HVP_EPSILON = 5e-3;

/** The gradients of `lossFn` for `params`, a zero tensor where the loss does not depend on one. */
export function gradientsOf(params: readonly Param[], lossFn: () => tf.Scalar): tf.Tensor[] {
  const { grads } = differentiate(
    lossFn,
    params.map((p) => p.variable),
  );
  return grads.map((g, i) => g ?? tf.zerosLike(params[i]!.variable));
}

/** sqrt(sum_i ||t_i||^2) as a JS number. */
export function globalNorm(tensors: readonly tf.Tensor[]): number {
  const n = tf.tidy(() => tf.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(t))))));
  const value = n.dataSync()[0]!;
  n.dispose();
  return value;
}

/**
 * Central finite difference of gradients. The weights are saved once into the snapshot,
 * set to w + eps v and to w - eps v (both computed from the saved w, so no rounding
 * accumulates), and restored from the snapshot in a `finally`, so an exception in the loss
 * leaves them untouched. Runs inside the caller's tidy; returns one tensor per parameter.
 */
export function finiteDifferenceHvp(
  snapshot: ParamSnapshot,
  lossFn: () => tf.Scalar,
  v: readonly tf.Tensor[],
  eps: number,
): tf.Tensor[] {
  const params = snapshot.params;
  const moveTo = (sign: 1 | -1) =>
    params.forEach((p, i) =>
      tf.tidy(() => p.variable.assign(tf.add(snapshot.saved(i), tf.mul(v[i]!, sign * eps)))),
    );
  snapshot.save();
  try {
    moveTo(1);
    const gPlus = gradientsOf(params, lossFn);
    moveTo(-1);
    const gMinus = gradientsOf(params, lossFn);
    return gPlus.map((g, i) => tf.div(tf.sub(g, gMinus[i]!), 2 * eps));
  } finally {
    snapshot.restore();
  }
}

/**
 * Hessian-vector product by double back-propagation: H v = d/dw (grad L(w) . v). Only right
 * for ops whose gradients are themselves differentiable in tfjs (see {@link HvpOptions}).
 */
export function exactHvp(
  params: readonly Param[],
  lossFn: () => tf.Scalar,
  v: readonly tf.Tensor[],
): tf.Tensor[] {
  const variables = params.map((p) => p.variable);
  const { grads } = tf.variableGrads(() => {
    const g = gradientsOf(params, lossFn);
    return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i]!)))) as tf.Scalar;
  }, variables);
  return variables.map((x) => grads[x.name] ?? tf.zerosLike(x));
}

/**
 * One Hessian-vector product H v of the loss with respect to `params`, where
 * H = d^2 L / dw^2 restricted to those parameters (the others are held fixed).
 *
 * Default method, central differences of gradients:
 *
 *   H v ~= (grad L(w + eps v) - grad L(w - eps v)) / (2 eps),
 *
 * w the parameters, v the direction, eps = epsilon * max(1, ||w||) / ||v|| (so the step is
 * a fixed fraction of the weights' scale whatever the scale of v). The error is
 * eps^2 ||D^3 L|| / 6 (truncation; zero on a quadratic) plus about u ||g|| / eps (float32
 * rounding of the two gradients, u ~ 6e-8). Balancing the two terms for derivatives of
 * order one gives eps* = (3 u)^(1/3) ~ 5.6e-3, hence the default epsilon = 5e-3; the spec
 * measured eps = 1e-2 within 1.6e-4 of the analytic product on a tanh network. Cost: two
 * gradient evaluations. The weights are restored exactly afterwards (from a snapshot, also
 * when the loss throws).
 *
 * Returns one tensor per parameter (the caller disposes them).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromVariables } from "@sam/core";
 * import { hessianVectorProduct } from "@sam/landscape";
 *
 * const w = tf.variable(tf.tensor1d([1, 2]));
 * const params = fromVariables({ w });
 * const loss = () => tf.sum(tf.mul([0.5, 1.5], tf.square(w))) as tf.Scalar; // H = diag(1, 3)
 * const [hv] = hessianVectorProduct(params.params, loss, [tf.tensor1d([1, 1])]); // [1, 3]
 * ```
 */
export function hessianVectorProduct(
  params: readonly Param[],
  lossFn: () => tf.Scalar,
  v: readonly tf.Tensor[],
  options: HvpOptions = {},
): tf.Tensor[] {
  if (v.length !== params.length) {
    throw new SamConfigError(
      `hessianVectorProduct got ${v.length} direction tensors for ${params.length} parameters. Pass one tensor per parameter, in the same order.`,
    );
  }
  v.forEach((t, i) => {
    const shape = params[i]!.shape;
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new SamConfigError(
        `hessianVectorProduct: direction ${i} has shape [${t.shape.join(", ")}] but parameter ${JSON.stringify(params[i]!.path)} has [${shape.join(", ")}]. Pass directions shaped like the parameters.`,
      );
    }
  });
  const method = options.method ?? "fd";
  if (method === "exact") return tf.tidy(() => exactHvp(params, lossFn, v));
  if (method !== "fd") {
    throw new SamConfigError(
      `hessianVectorProduct method is ${JSON.stringify(method)}: use "fd" or "exact".`,
    );
  }
  const epsilon = options.epsilon ?? DEFAULT_HVP_EPSILON;
  const wNorm = globalNorm(params.map((p) => p.variable));
  const vNorm = globalNorm(v);
  if (vNorm === 0) return v.map((t) => tf.zerosLike(t));
  const eps = (epsilon * Math.max(1, wNorm)) / vNorm;
  const snapshot = new ParamSnapshot(params);
  try {
    return tf.tidy(() => finiteDifferenceHvp(snapshot, lossFn, v, eps));
  } finally {
    snapshot.dispose();
  }
}

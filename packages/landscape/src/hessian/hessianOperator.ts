import { createRng, type Param, ParamSnapshot, SamConfigError, type Selector } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type ParamsLike, resolveParams } from "../internal/resolveParams";
import { norm } from "../internal/vec";
import {
  DEFAULT_HVP_EPSILON,
  exactHvp,
  finiteDifferenceHvp,
  globalNorm,
  type HvpMethod,
  type HvpOptions,
} from "./hessianVectorProduct";
import type { LinearOperator } from "./linearOperator";

/** Options of {@link hessianOperator}. */
export interface HessianOperatorOptions extends HvpOptions {
  /** Restrict H to the parameters this selector picks (the rest held fixed): a per-group Hessian. */
  readonly select?: Selector;
  /**
   * With `method: 'exact'`: first compare one exact product with the finite-difference one
   * and throw when they differ by more than `selfCheckTolerance` (default true).
   */
  readonly selfCheck?: boolean;
  /** Relative tolerance of the self-check. Default 1e-2. */
  readonly selfCheckTolerance?: number;
  /** Seed of the self-check's random direction. Default 1. */
  readonly seed?: number;
}

/** A {@link LinearOperator} v -> H v for the Hessian of a loss over some parameters. */
export interface HessianOperator extends LinearOperator {
  /** The parameters H is taken over, in the order their entries appear in a vector. */
  readonly params: readonly Param[];
  /** The method in use. */
  readonly method: HvpMethod;
  /** Number of Hessian-vector products computed so far. */
  readonly applications: number;
  /** Splits a flat vector into tensors shaped like the parameters (the caller disposes them). */
  toTensors(v: ArrayLike<number>): tf.Tensor[];
  /** Flattens per-parameter tensors into one vector (the tensors are not disposed). */
  fromTensors(tensors: readonly tf.Tensor[]): Float64Array;
  /** Frees the weight snapshot. */
  dispose(): void;
}

/**
 * The Hessian of `lossFn` over `params` as a matrix-free {@link LinearOperator}, the input
 * of {@link powerIteration}, {@link lanczos}, {@link hutchinsonTrace} and
 * {@link spectralDensity}. A vector is the concatenation of the selected parameters,
 * each flattened in row-major order.
 *
 * Each `apply(v)` is one Hessian-vector product (see {@link hessianVectorProduct}); with
 * the default `'fd'` method it costs two gradient evaluations. The weights are always
 * restored exactly. `lossFn` should not update BatchNorm statistics (evaluate the model in
 * inference mode, e.g. with {@link modelLoss}). Call `dispose()` when done.
 *
 * @throws SamConfigError when the selection is empty, or when `method: 'exact'` fails its
 *   self-check (nested gradients are wrong through tanh and fail through conv in tfjs 4.22).
 * @example
 * ```ts
 * import { collectParams, hasTag } from "@sam/core";
 * import { hessianOperator, modelLoss, powerIteration } from "@sam/landscape";
 *
 * const op = hessianOperator(collectParams(model), modelLoss(model, x, y), { select: hasTag("norm") });
 * const { values } = await powerIteration(op, { k: 2 }); // top-2 eigenvalues of the norm-parameter block
 * op.dispose();
 * ```
 */
export function hessianOperator(
  params: ParamsLike,
  lossFn: () => tf.Scalar,
  options: HessianOperatorOptions = {},
): HessianOperator {
  if (typeof lossFn !== "function") {
    throw new SamConfigError(
      `hessianOperator lossFn is ${typeof lossFn}: pass a closure () => tf.Scalar that computes the loss from the live variables.`,
    );
  }
  const list = resolveParams(params, options.select);
  const method = options.method ?? "fd";
  if (method !== "fd" && method !== "exact") {
    throw new SamConfigError(
      `hessianOperator method is ${JSON.stringify(method)}: use "fd" (default) or "exact".`,
    );
  }
  const epsilon = options.epsilon ?? DEFAULT_HVP_EPSILON;
  if (!(epsilon > 0)) {
    throw new SamConfigError(
      `hessianOperator epsilon is ${epsilon}: it must be a positive number such as 5e-3.`,
    );
  }
  const sizes = list.map((p) => p.size);
  const dim = sizes.reduce((a, b) => a + b, 0);
  const wScale = Math.max(1, globalNorm(list.map((p) => p.variable)));
  const snapshot = new ParamSnapshot(list);
  let count = 0;

  const toTensors = (v: ArrayLike<number>) => {
    const out: tf.Tensor[] = [];
    let offset = 0;
    list.forEach((p, i) => {
      const slice = new Float32Array(sizes[i]!);
      for (let k = 0; k < slice.length; k++) slice[k] = v[offset + k]!;
      offset += slice.length;
      out.push(tf.tensor(slice, [...p.shape], "float32"));
    });
    return out;
  };
  const fromTensors = (tensors: readonly tf.Tensor[]) => {
    const flat = tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))));
    const data = flat.dataSync();
    flat.dispose();
    return Float64Array.from(data);
  };
  const product = (v: Float64Array, how: HvpMethod): Float64Array => {
    if (v.length !== dim) {
      throw new SamConfigError(
        `The Hessian operator has dimension ${dim} but got a vector of length ${v.length}. Pass a vector over the selected parameters.`,
      );
    }
    const vNorm = norm(v);
    if (vNorm === 0) return new Float64Array(dim);
    const vt = toTensors(v);
    try {
      const flat = tf.tidy(() => {
        const hv =
          how === "fd"
            ? finiteDifferenceHvp(snapshot, lossFn, vt, (epsilon * wScale) / vNorm)
            : exactHvp(list, lossFn, vt);
        return tf.concat(hv.map((t) => tf.reshape(t, [-1])));
      });
      const data = flat.dataSync();
      flat.dispose();
      return Float64Array.from(data);
    } finally {
      tf.dispose(vt);
    }
  };

  if (method === "exact" && (options.selfCheck ?? true)) {
    const v = createRng(options.seed ?? 1).normalVector(dim);
    let exact: Float64Array;
    try {
      exact = product(v, "exact");
    } catch (e) {
      snapshot.dispose();
      throw new SamConfigError(
        `hessianOperator method "exact" failed on this loss (${(e as Error).message}): nested tf.grad has no ` +
          'second derivative for some op here (conv2d, max-pool and custom-gradient losses fail in tfjs 4.22). Use method: "fd".',
      );
    }
    const fd = product(v, "fd");
    let diff = 0;
    for (let i = 0; i < dim; i++) diff += (exact[i]! - fd[i]!) ** 2;
    const rel = Math.sqrt(diff) / Math.max(norm(fd), 1e-12);
    const tol = options.selfCheckTolerance ?? 1e-2;
    if (!(rel <= tol)) {
      snapshot.dispose();
      throw new SamConfigError(
        `hessianOperator method "exact" disagrees with finite differences by ${rel.toExponential(2)} (relative; ` +
          `tolerance ${tol}): nested tf.grad drops second-derivative terms of ops such as tanh, sigmoid, exp and ` +
          'logSoftmax in tfjs 4.22 (it returns the Gauss-Newton part only). Use method: "fd" (the default).',
      );
    }
  }

  return {
    dim,
    params: list,
    method,
    get applications() {
      return count;
    },
    apply(v) {
      count++;
      return product(v, method);
    },
    toTensors,
    fromTensors,
    dispose: () => snapshot.dispose(),
  };
}

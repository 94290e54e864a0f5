import { compileSelector, ParamSnapshot, SamConfigError, type Selector } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { hessianOperator } from "../hessian/hessianOperator";
import type { HvpOptions } from "../hessian/hessianVectorProduct";
import { lanczos } from "../hessian/lanczos";
import { type ParamsLike, resolveParams } from "../internal/resolveParams";

/** Options of {@link scaleInvariantSharpness}. */
export interface ScaleInvariantSharpnessOptions extends HvpOptions {
  /**
   * The scale-invariant groups W_1..W_m (e.g. one per normalised layer), each a selector
   * over the parameters; first match wins. Default: all the parameters form one group.
   */
  readonly groups?: readonly Selector[];
  /** Only these parameters enter the Hessian. */
  readonly select?: Selector;
  /** Lanczos steps. Default min(dim, 20). */
  readonly steps?: number;
  /** Seed of the Lanczos start vector. Default 1. */
  readonly seed?: number;
}

/** What {@link scaleInvariantSharpness} measured (plain JSON). */
export interface ScaleInvariantSharpnessResult {
  /** lambda_max of the Hessian at the point where every group has unit norm. */
  sphericalSharpness: number;
  /** ||W_l||^2 of each group at the current point. */
  normsSquared: number[];
  /** Number of parameters in each group. */
  groupSizes: number[];
}

/**
 * Scale-invariant ("spherical") sharpness for normalised networks (Lyu, Li & Arora 2022).
 * When L(c w) = L(w) for all c > 0 (every weight matrix feeds a normalisation layer, the
 * last layer fixed), the Hessian scales as H(c w) = H(w) / c^2, so lambda_max alone says
 * nothing until the scale is fixed. The scale-free quantity is
 *
 *   S_sph(w) = lambda_max(H(w / ||w||)) = ||w||^2 lambda_max(H(w)),
 *
 * and GD with step eta is stable while (eta / ||w||^2) S_sph <= 2. With several
 * independent scale-invariant groups W_1..W_m each group is normalised to unit norm,
 * w-bar = (W_1 / ||W_1||, ..., W_m / ||W_m||, other parameters), and lambda_max is taken at
 * w-bar (Lanczos on finite-difference HVPs). The weights are moved with a
 * `ParamSnapshot` and restored exactly, also when the loss throws.
 *
 * @example
 * ```ts
 * import { layerClass } from "@sam/core";
 * import { scaleInvariantSharpness } from "@sam/landscape";
 *
 * const { sphericalSharpness, normsSquared } = await scaleInvariantSharpness(params, lossFn, {
 *   groups: [{ path: "fc1/kernel" }, { path: "fc2/kernel" }],
 * });
 * ```
 */
export async function scaleInvariantSharpness(
  params: ParamsLike,
  lossFn: () => tf.Scalar,
  options: ScaleInvariantSharpnessOptions = {},
): Promise<ScaleInvariantSharpnessResult> {
  const list = resolveParams(params, options.select);
  const selectors = options.groups ?? [{ all: true } as Selector];
  const predicates = selectors.map((s) => compileSelector(s));
  const membership = list.map((p) => predicates.findIndex((f) => f(p)));
  const groupSizes = predicates.map((_, g) =>
    list.reduce((n, p, i) => n + (membership[i] === g ? p.size : 0), 0),
  );
  groupSizes.forEach((size, g) => {
    if (size === 0) {
      throw new SamConfigError(
        `scaleInvariantSharpness group ${g} (${JSON.stringify(typeof selectors[g] === "function" ? "<function>" : selectors[g])}) ` +
          "selects no parameter. Check it against params.paths(), or drop it.",
      );
    }
  });
  const normsSquared = predicates.map((_, g) => {
    const members = list.filter((_, i) => membership[i] === g).map((p) => p.variable);
    const s = tf.tidy(() => tf.addN(members.map((v) => tf.sum(tf.square(v)))));
    const value = s.dataSync()[0]!;
    s.dispose();
    if (!(value > 0)) {
      throw new SamConfigError(
        `scaleInvariantSharpness group ${g} has norm 0: a scale-invariant group needs non-zero weights.`,
      );
    }
    return value;
  });
  const snapshot = new ParamSnapshot(list);
  snapshot.save();
  try {
    list.forEach((p, i) => {
      const g = membership[i]!;
      if (g >= 0) tf.tidy(() => p.variable.assign(tf.div(p.variable, Math.sqrt(normsSquared[g]!))));
    });
    const op = hessianOperator(list, lossFn, {
      ...(options.method ? { method: options.method } : {}),
      ...(options.epsilon ? { epsilon: options.epsilon } : {}),
    });
    try {
      const res = await lanczos(op, {
        steps: options.steps ?? Math.min(op.dim, 20),
        seed: options.seed ?? 1,
      });
      return { sphericalSharpness: res.values[0]!, normsSquared, groupSizes };
    } finally {
      op.dispose();
    }
  } finally {
    snapshot.restore();
    snapshot.dispose();
  }
}

import { type Param, type ParamSet, SamConfigError } from "@sam/core";
import type { TensorValue } from "../paramState";
import { checkDirection, type Direction } from "./direction";

/**
 * How a direction is rescaled against the weights theta (Li et al. 2018):
 * - `'filter'` (default): every filter j of every layer i gets
 *   d_(i,j) <- d_(i,j) ||theta_(i,j)|| / (||d_(i,j)|| + 1e-10);
 * - `'layer'`: every parameter's direction gets the norm of that parameter;
 * - `'none'`: left as it is.
 */
export type DirectionNormalization = "filter" | "layer" | "none";

/** Options of {@link normalizeDirection}. */
export interface NormalizeDirectionOptions {
  /** Default `'filter'`. */
  readonly normalization?: DirectionNormalization;
  /**
   * Parameters of rank <= 1 (biases, normalisation scales and shifts): `'biasbn'` (default)
   * sets the direction to zero there, as the Li et al. README commands do; `'none'` sets it
   * equal to the parameter itself (d <- theta), as their code does without `ignore`.
   */
  readonly ignore?: "biasbn" | "none";
}

/**
 * Number of filters of a parameter in the tfjs layout, where the output unit is the LAST
 * axis: conv2d [kh, kw, in, out] and dense [in, out] have `out` filters; a depthwise
 * kernel [kh, kw, in, mult] has in * mult (one per output channel). PyTorch's layout is
 * [out, in, kh, kw], so code that normalises along the first axis is silently wrong here.
 *
 * @example
 * ```ts
 * import { filterCount } from "@sam/landscape";
 *
 * filterCount(params.get("conv1/kernel")); // 16 for a [3, 3, 3, 16] kernel
 * ```
 */
export function filterCount(param: Param): number {
  const s = param.shape;
  if (s.length < 2) return 1;
  if (param.tags.has("depthwise") && s.length === 4) return s[2]! * s[3]!;
  return s[s.length - 1]!;
}

/**
 * Rescales a direction against the current weights (filter normalisation by default),
 * so that a step alpha along it is comparable across layers and invariant to the scale of
 * each filter: with filter normalisation, scaling a layer by c and the next by 1/c (a ReLU
 * network computes the same function) leaves the curve L(theta + alpha d) unchanged.
 * Element e of a flattened parameter belongs to filter e mod F, F = {@link filterCount}.
 *
 * @example
 * ```ts
 * import { captureState, normalizeDirection, trajectoryDirections } from "@sam/landscape";
 *
 * const checkpoints = [captureState(params)];
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   await model.fit(x, y, { epochs: 1 });
 *   checkpoints.push(captureState(params));
 * }
 * const trajectory = trajectoryDirections(params, checkpoints); // unit norm over the whole network
 * const d = normalizeDirection(params, trajectory.directions[0], { normalization: "filter" });
 * ```
 */
export function normalizeDirection(
  params: ParamSet | readonly Param[],
  direction: Direction,
  options: NormalizeDirectionOptions = {},
): Direction {
  const list = Array.isArray(params) ? (params as readonly Param[]) : (params as ParamSet).params;
  checkDirection(list, direction, "the direction");
  const mode = options.normalization ?? "filter";
  const ignore = options.ignore ?? "biasbn";
  if (!["filter", "layer", "none"].includes(mode)) {
    throw new SamConfigError(
      `normalization is ${JSON.stringify(mode)}: use "filter" (default), "layer" or "none".`,
    );
  }
  if (ignore !== "biasbn" && ignore !== "none") {
    throw new SamConfigError(`ignore is ${JSON.stringify(ignore)}: use "biasbn" (default) or "none".`);
  }
  const out: Record<string, TensorValue> = {};
  for (const p of list) {
    const d = direction[p.path]!;
    const theta = p.variable.dataSync() as Float32Array;
    const values = Float32Array.from(d.values);
    if (mode !== "none" && p.shape.length <= 1) {
      if (ignore === "biasbn") values.fill(0);
      else values.set(theta);
    } else if (mode === "layer") {
      let nt = 0;
      let nd = 0;
      for (let i = 0; i < values.length; i++) {
        nt += theta[i]! ** 2;
        nd += values[i]! ** 2;
      }
      const f = Math.sqrt(nt) / (Math.sqrt(nd) + 1e-10);
      for (let i = 0; i < values.length; i++) values[i]! *= f;
    } else if (mode === "filter") {
      const F = filterCount(p);
      const nt = new Float64Array(F);
      const nd = new Float64Array(F);
      for (let i = 0; i < values.length; i++) {
        nt[i % F]! += theta[i]! ** 2;
        nd[i % F]! += values[i]! ** 2;
      }
      const f = Array.from(nt, (t, j) => Math.sqrt(t) / (Math.sqrt(nd[j]!) + 1e-10));
      for (let i = 0; i < values.length; i++) values[i]! *= f[i % F]!;
    }
    out[p.path] = { shape: [...p.shape], values };
  }
  return out;
}

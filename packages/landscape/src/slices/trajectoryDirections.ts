import { type Param, type ParamSet, SamConfigError } from "@sam/core";
import { symmetricEigen } from "../internal/symmetricEigen";
import type { ParamState, TensorValue } from "../paramState";
import type { Direction } from "./direction";

/** Options of {@link trajectoryDirections}. */
export interface TrajectoryDirectionsOptions {
  /** The centre theta_final. Default: the last state. */
  readonly final?: ParamState;
  /** `'biasbn'` (default) leaves parameters of rank <= 1 out of the PCA (zero there), as Li et al. can. */
  readonly ignore?: "biasbn" | "none";
}

/** What {@link trajectoryDirections} found (plain JSON). */
export interface TrajectoryDirectionsResult {
  /** Two orthonormal principal directions of {theta_t - theta_final}. */
  directions: [Direction, Direction];
  /** Fraction of the (centred) variance each explains: label the axes with it. */
  explainedVariance: [number, number];
  /** Each checkpoint projected on the plane: coordinates and the off-plane residual norm. */
  points: { x: number; y: number; residual: number }[];
}

/**
 * The two principal directions of a training trajectory (Li et al. 2018, section 7): PCA of
 * the rows x_t = theta_t - theta_final over saved checkpoints, by the eigen-decomposition
 * of the T x T Gram matrix of the centred rows (T checkpoints, so it costs T^2 n, never
 * n^2). Each checkpoint is projected on the plane, x = x_t . d1, y = x_t . d2, with its
 * off-plane residual sqrt(||x_t||^2 - x^2 - y^2): a trajectory point is not at the loss the
 * contour shows there when its residual is large (loss-landscape issue #1).
 *
 * @example
 * ```ts
 * import { captureState, type ParamState, slice2d, trajectoryDirections } from "@sam/landscape";
 *
 * const checkpoints: ParamState[] = [];
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   await model.fit(x, y, { epochs: 1 });
 *   checkpoints.push(captureState(params));
 * }
 * const { directions, points, explainedVariance } = trajectoryDirections(params, checkpoints);
 * const surface = await slice2d({ params, directions, evaluate: lossFn, center: checkpoints.at(-1) });
 * ```
 */
export function trajectoryDirections(
  params: ParamSet,
  states: readonly ParamState[],
  options: TrajectoryDirectionsOptions = {},
): TrajectoryDirectionsResult {
  if (!Array.isArray(states) || states.length < 3) {
    throw new SamConfigError(
      `trajectoryDirections got ${Array.isArray(states) ? states.length : typeof states} states: it needs at least 3 checkpoints (captureState(params) every few steps).`,
    );
  }
  const final = options.final ?? states[states.length - 1]!;
  const ignore = options.ignore ?? "biasbn";
  const used: Param[] = params.params.filter((p) => ignore === "none" || p.shape.length >= 2);
  if (used.length === 0) {
    throw new SamConfigError(
      'trajectoryDirections has no parameter of rank >= 2 to analyse: pass ignore: "none" to include biases and normalisation parameters.',
    );
  }
  states.forEach((s, t) => {
    for (const p of used) {
      const v = s.params?.[p.path];
      if (!v || v.values.length !== p.size) {
        throw new SamConfigError(
          `trajectoryDirections: state ${t} lacks ${JSON.stringify(p.path)} or has it at another size. Capture every checkpoint with captureState(params).`,
        );
      }
    }
  });
  const n = used.reduce((s, p) => s + p.size, 0);
  const rows = states.map((s) => {
    const x = new Float64Array(n);
    let o = 0;
    for (const p of used) {
      const a = s.params[p.path]!.values;
      const b = final.params[p.path]!.values;
      for (let i = 0; i < a.length; i++) x[o + i] = a[i]! - b[i]!;
      o += a.length;
    }
    return x;
  });
  const T = rows.length;
  const mean = new Float64Array(n);
  for (const r of rows) for (let i = 0; i < n; i++) mean[i]! += r[i]! / T;
  const centred = rows.map((r) => r.map((v, i) => v - mean[i]!));
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return s;
  };
  const gram = centred.map((a) => centred.map((b) => dot(a, b)));
  const eig = symmetricEigen(gram);
  const total = eig.values.reduce((s, v) => s + Math.max(0, v), 0);
  const dirs = [0, 1].map((k) => {
    const lambda = eig.values[k]!;
    if (!(lambda > 1e-20 * Math.max(1, total))) {
      throw new SamConfigError(
        `trajectoryDirections: the checkpoints span fewer than 2 directions (eigenvalue ${k + 1} is ${lambda}). Save checkpoints that differ.`,
      );
    }
    const d = new Float64Array(n);
    eig.vectors[k]!.forEach((u, t) => {
      const r = centred[t]!;
      for (let i = 0; i < n; i++) d[i]! += u * r[i]!;
    });
    const norm = Math.sqrt(dot(d, d));
    return d.map((v) => v / norm);
  });
  const toDirection = (flat: Float64Array): Direction => {
    const out: Record<string, TensorValue> = {};
    let o = 0;
    for (const p of params.params) {
      const values = new Float32Array(p.size);
      if (used.includes(p)) {
        for (let i = 0; i < p.size; i++) values[i] = flat[o + i]!;
        o += p.size;
      }
      out[p.path] = { shape: [...p.shape], values };
    }
    return out;
  };
  const points = rows.map((r) => {
    const x = dot(r, dirs[0]!);
    const y = dot(r, dirs[1]!);
    return { x, y, residual: Math.sqrt(Math.max(0, dot(r, r) - x * x - y * y)) };
  });
  return {
    directions: [toDirection(dirs[0]!), toDirection(dirs[1]!)],
    explainedVariance: [eig.values[0]! / total, eig.values[1]! / total],
    points,
  };
}

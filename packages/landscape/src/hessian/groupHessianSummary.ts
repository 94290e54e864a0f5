import { type GroupSpec, groupParams, type ParamSet, SamConfigError } from "@sam/core";
import type * as tf from "@tensorflow/tfjs-core";
import { type OnProgress, yieldToEventLoop } from "../progress";
import { hessianOperator } from "./hessianOperator";
import type { HvpOptions } from "./hessianVectorProduct";
import { hutchinsonTrace } from "./hutchinsonTrace";
import { lanczos } from "./lanczos";

/** Options of {@link groupHessianSummary}. */
export interface GroupHessianSummaryOptions extends HvpOptions {
  readonly params: ParamSet;
  readonly lossFn: () => tf.Scalar;
  /** The groups (first match wins; an empty group is an error). Default: one group `all`. */
  readonly groups?: readonly GroupSpec[];
  /** Top eigenvalues per group. Default 1. */
  readonly k?: number;
  /** Lanczos steps per group. Default min(size, max(2k, 20)). */
  readonly steps?: number;
  /** Hutchinson probes per group (0 skips the trace). Default 20. */
  readonly traceProbes?: number;
  /** Seed. Default 1. */
  readonly seed?: number;
  /** Called after every group, with groups done of groups in all. */
  readonly onProgress?: OnProgress;
}

/** One group's Hessian block (plain JSON). */
export interface GroupHessianRow {
  label: string;
  /** Number of scalars in the group. */
  size: number;
  /** Top eigenvalues of the group's diagonal Hessian block H_GG, descending (Lanczos). */
  topEigenvalues: number[];
  /** Hutchinson estimate of tr(H_GG), and its standard error (null when skipped). */
  trace: number | null;
  traceStandardError: number | null;
  /** Hessian-vector products spent on the group. */
  hvps: number;
}

/**
 * Per-group Hessian summary: for every group G, the top eigenvalues and the trace of the
 * diagonal block H_GG = d^2 L / dw_G^2 (the other parameters held fixed), each from its own
 * matrix-free operator (finite-difference HVPs that back-propagate into G only). The
 * per-layer and per-block curvature users ask PyHessian for.
 *
 * @example
 * ```ts
 * import { collectParams, hasTag, everything } from "@sam/core";
 * import { groupHessianSummary, modelLoss } from "@sam/landscape";
 *
 * const rows = await groupHessianSummary({
 *   params: collectParams(model), lossFn: modelLoss(model, x, y),
 *   groups: [{ label: "norm", select: hasTag("norm") }, { label: "rest", select: everything }],
 * });
 * console.table(rows);
 * ```
 */
export async function groupHessianSummary(options: GroupHessianSummaryOptions): Promise<GroupHessianRow[]> {
  const { params, lossFn } = options;
  if (!params || !Array.isArray(params.params) || typeof lossFn !== "function") {
    throw new SamConfigError(
      "groupHessianSummary needs { params, lossFn }: a ParamSet (collectParams(model)) and a closure () => tf.Scalar.",
    );
  }
  const groups = groupParams(params, options.groups ?? [{ label: "all", select: { all: true } }], {
    onUnmatched: "ignore",
  });
  const k = options.k ?? 1;
  const probes = options.traceProbes ?? 20;
  const rows: GroupHessianRow[] = [];
  for (const group of groups) {
    const op = hessianOperator(group, lossFn, {
      ...(options.method ? { method: options.method } : {}),
      ...(options.epsilon ? { epsilon: options.epsilon } : {}),
    });
    try {
      const steps = Math.min(op.dim, options.steps ?? Math.max(2 * k, 20));
      const eig = await lanczos(op, { steps, k: Math.min(k, steps), seed: options.seed ?? 1 });
      const tr =
        probes > 0
          ? await hutchinsonTrace(op, { maxIter: probes, minIter: probes, seed: options.seed ?? 1 })
          : null;
      rows.push({
        label: group.label,
        size: op.dim,
        topEigenvalues: eig.values,
        trace: tr ? tr.trace : null,
        traceStandardError: tr ? tr.standardError : null,
        hvps: op.applications,
      });
    } finally {
      op.dispose();
    }
    options.onProgress?.({ done: rows.length, total: groups.length });
    await yieldToEventLoop();
  }
  return rows;
}

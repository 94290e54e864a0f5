import {
  type GroupSpec,
  groupParams,
  type Param,
  type ParamSet,
  ParamSnapshot,
  SamConfigError,
} from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { type EvaluateStep, type EvaluatorLike, toEvaluator } from "../evaluation/evaluator";
import { type BatchNormModel, recomputeBatchNormStats } from "../evaluation/recomputeBatchNormStats";
import type { ParamState, TensorValue } from "../paramState";
import { type OnProgress, yieldToEventLoop } from "../progress";
import { validateStates } from "../validateStates";
import { alphaGrid } from "./alphaGrid";
import { type InterpolationMetrics, interpolationMetrics } from "./interpolationMetrics";

/**
 * What happens to BatchNorm moving statistics (`params.stateVariables`) along the path:
 * - `'interpolate'`: interpolated like the weights (Li et al.'s `dir_type=states`); needs
 *   statistics in both endpoints. The default when both have them;
 * - `'from'` / `'to'`: taken from that endpoint's state, fixed along the path;
 * - `'keep'`: left as they are in the model;
 * - `{ recompute: { model, batches } }`: re-estimated at every alpha by train-mode passes
 *   over `batches` ({@link recomputeBatchNormStats}), the most faithful and the slowest.
 */
export type BatchNormStatsMode =
  | "interpolate"
  | "from"
  | "to"
  | "keep"
  | {
      readonly recompute: {
        readonly model: BatchNormModel;
        readonly batches: tf.Tensor | readonly tf.Tensor[];
      };
    };

/** Options of {@link interpolate}. */
export interface InterpolateOptions {
  /** The parameters moved (from `collectParams(model)` or `fromVariables`). */
  readonly params: ParamSet;
  /** The state at alpha = 0 (e.g. the initialisation). */
  readonly from: ParamState;
  /** The state at alpha = 1 (e.g. the trained weights). */
  readonly to: ParamState;
  /** How to evaluate: an evaluator or loss closure, or several by split name (`{ train, test }`). */
  readonly evaluate: EvaluatorLike | Readonly<Record<string, EvaluatorLike>>;
  /** Coefficients alpha. Default 51 points on [0, 1]; values outside [0, 1] extrapolate. */
  readonly alphas?: readonly number[];
  /** Per-group curves: each group is moved alone, the rest held at `hold` (first match wins; an empty group is an error). */
  readonly groups?: readonly GroupSpec[];
  /** Include the whole-network curve (label `all`). Default true. */
  readonly whole?: boolean;
  /** Where the parameters outside the moved group stay: `'to'` (default, Vlaar & Frankle) or `'from'`. */
  readonly hold?: "from" | "to";
  /** BatchNorm statistics along the path (see {@link BatchNormStatsMode}). */
  readonly bnStats?: BatchNormStatsMode;
  /** Number of classes, for the plateau metric at ln C. */
  readonly classes?: number;
  /** Called after every (curve, alpha) point. */
  readonly onProgress?: OnProgress;
}

/** One curve: one group moved, evaluated on one split (plain JSON; non-finite values are `null`). */
export interface InterpolationCurve {
  /** `all` or the group label. */
  label: string;
  /** The split (evaluator name; `loss` for a single evaluator). */
  split: string;
  /** Loss at each alpha; `null` where it was not finite (listed in `nonFinite`). */
  loss: (number | null)[];
  /** Accuracy at each alpha, when the evaluator measures it. */
  accuracy?: (number | null)[];
  /** Shape metrics of the loss curve. */
  metrics: InterpolationMetrics;
  /** ||theta_1 - theta_0|| over the moved parameters, and the same over ||theta_0||. */
  distance: number;
  relativeDistance: number | null;
}

/** What {@link interpolate} measured (plain JSON). */
export interface InterpolationResult {
  alphas: number[];
  curves: InterpolationCurve[];
  /** Every point whose loss was NaN or infinite: recorded, shown on plots, never thrown. */
  nonFinite: { label: string; split: string; alpha: number; value: string }[];
  hold: "from" | "to";
  bnStats: string;
}

/**
 * Linear interpolation between two parameter states, for the whole network and one group
 * at a time:
 *
 *   theta_G(alpha) = (1 - alpha) theta_0[G] + alpha theta_1[G],  the rest at theta_hold,
 *
 * theta_0 = `from`, theta_1 = `to`, G the moved group (every parameter for the curve `all`),
 * alpha on the grid (values outside [0, 1] extrapolate). At each alpha the loss (and accuracy)
 * is evaluated on every split; a non-finite loss is recorded as `null` and listed, not
 * thrown. With `hold: 'to'`, a group's curve at alpha = 0 is "reset only this group to its
 * initial value" (Zhang et al.'s re-initialisation robustness, Vlaar & Frankle's per-layer
 * curves). The model's weights and statistics are restored exactly at the end, also when an
 * evaluation throws.
 *
 * @throws SamConfigError when the endpoints differ in paths or shapes (every mismatch
 *   listed), a group is empty, or the BatchNorm mode needs statistics an endpoint lacks.
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { captureState, interpolate, interpolationPlot, modelEvaluator } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const params = collectParams(model); // x, y: training data; xs, ys: held-out test data
 * const init = captureState(params);
 * await model.fit(x, y, { epochs: 10 });
 * const result = await interpolate({
 *   params, from: init, to: captureState(params),
 *   evaluate: { train: modelEvaluator({ model, x, y }), test: modelEvaluator({ model, x: xs, y: ys }) },
 *   groups: [{ label: "head", select: { path: "head/*" } }, { label: "body", select: { all: true } }],
 * });
 * await writePlot(interpolationPlot(result), "out/interpolation");
 * ```
 */
export async function interpolate(options: InterpolateOptions): Promise<InterpolationResult> {
  const { params, from, to } = options;
  if (!params || !Array.isArray(params.params)) {
    throw new SamConfigError(
      `interpolate params is ${typeof params}: pass the ParamSet the states were captured from (collectParams(model)).`,
    );
  }
  validateStates(params, from, to);
  const alphas = [...(options.alphas ?? alphaGrid())];
  if (alphas.length === 0 || alphas.some((a) => !Number.isFinite(a))) {
    throw new SamConfigError(
      `interpolate alphas is [${alphas.slice(0, 6).join(", ")}${alphas.length > 6 ? ", ..." : ""}]: pass a non-empty list of finite numbers, e.g. alphaGrid(-0.5, 1.5, 41).`,
    );
  }
  const hold = options.hold ?? "to";
  if (hold !== "to" && hold !== "from") {
    throw new SamConfigError(`interpolate hold is ${JSON.stringify(hold)}: use "to" (default) or "from".`);
  }
  const curves: { label: string; members: readonly Param[] }[] = [];
  if (options.whole ?? true) curves.push({ label: "all", members: params.params });
  if (options.groups) {
    for (const g of groupParams(params, options.groups, { onUnmatched: "ignore" })) {
      if (g.label === "all" && (options.whole ?? true)) {
        throw new SamConfigError(
          'interpolate: a group is labelled "all", which is the whole-network curve. Rename the group, or pass whole: false.',
        );
      }
      curves.push({ label: g.label, members: g.params });
    }
  }
  if (curves.length === 0) {
    throw new SamConfigError(
      "interpolate has no curve to draw: whole is false and no groups were given. Pass groups, or whole: true.",
    );
  }
  const evaluators = resolveEvaluators(options.evaluate);
  const bnMode = resolveBnMode(params, from, to, options.bnStats);

  const toTensor = (v: TensorValue) => tf.tensor(v.values, [...v.shape], "float32");
  const start = params.params.map((p) => toTensor(from.params[p.path]!));
  const end = params.params.map((p) => toTensor(to.params[p.path]!));
  const stats = params.stateVariables;
  const needStats = bnMode === "interpolate" || bnMode === "from" || bnMode === "to";
  const statStart = needStats && bnMode !== "to" ? stats.map((s) => toTensor(from.stats[s.path]!)) : [];
  const statEnd = needStats && bnMode !== "from" ? stats.map((s) => toTensor(to.stats[s.path]!)) : [];
  const weights = new ParamSnapshot(params.params);
  const statSnap = new ParamSnapshot(params.stateVariables);
  weights.save();
  statSnap.save();

  const split = Object.keys(evaluators);
  const raw = curves.map(() =>
    split.map(() => ({ loss: [] as number[], accuracy: [] as (number | undefined)[] })),
  );
  const total = curves.length * alphas.length;
  let done = 0;
  const mix = (v: tf.Variable, a: tf.Tensor, b: tf.Tensor, alpha: number) =>
    tf.tidy(() => v.assign(tf.add(tf.mul(a, 1 - alpha), tf.mul(b, alpha))));
  try {
    if (bnMode === "from" || bnMode === "to") {
      stats.forEach((s, j) => s.variable.assign(bnMode === "from" ? statStart[j]! : statEnd[j]!));
    }
    for (let c = 0; c < curves.length; c++) {
      const members = new Set(curves[c]!.members.map((p) => p.index));
      const layers = new Set(curves[c]!.members.map((p) => p.layer?.name).filter((n) => n !== undefined));
      const isAll = curves[c]!.members.length === params.length;
      params.params.forEach((p, i) => {
        if (!members.has(i)) p.variable.assign(hold === "to" ? end[i]! : start[i]!);
      });
      const statMember = stats.map((s) => isAll || (s.layer !== undefined && layers.has(s.layer.name)));
      if (bnMode === "interpolate") {
        stats.forEach((s, j) => {
          if (!statMember[j]) s.variable.assign(hold === "to" ? statEnd[j]! : statStart[j]!);
        });
      }
      for (const alpha of alphas) {
        params.params.forEach((p, i) => {
          if (members.has(i)) mix(p.variable, start[i]!, end[i]!, alpha);
        });
        if (bnMode === "interpolate") {
          stats.forEach((s, j) => {
            if (statMember[j]) mix(s.variable, statStart[j]!, statEnd[j]!, alpha);
          });
        } else if (typeof bnMode === "object") {
          recomputeBatchNormStats(bnMode.recompute.model, bnMode.recompute.batches);
        }
        for (const [k, name] of split.entries()) {
          const e = await evaluators[name]!();
          raw[c]![k]!.loss.push(e.loss);
          raw[c]![k]!.accuracy.push(e.accuracy);
        }
        options.onProgress?.({ done: ++done, total });
        await yieldToEventLoop();
      }
    }
  } finally {
    weights.restore();
    statSnap.restore();
    weights.dispose();
    statSnap.dispose();
    tf.dispose([...start, ...end, ...statStart, ...statEnd]);
  }

  const nonFinite: InterpolationResult["nonFinite"] = [];
  const out: InterpolationCurve[] = [];
  curves.forEach((curve, c) => {
    const { distance, relativeDistance } = distances(curve.members, from, to);
    split.forEach((name, k) => {
      const r = raw[c]![k]!;
      const loss = r.loss.map((v, i) => {
        if (Number.isFinite(v)) return v;
        nonFinite.push({ label: curve.label, split: name, alpha: alphas[i]!, value: String(v) });
        return null;
      });
      const hasAccuracy = r.accuracy.some((a) => a !== undefined);
      out.push({
        label: curve.label,
        split: name,
        loss,
        ...(hasAccuracy
          ? { accuracy: r.accuracy.map((a) => (a !== undefined && Number.isFinite(a) ? a : null)) }
          : {}),
        metrics: interpolationMetrics(
          alphas,
          loss,
          options.classes !== undefined ? { classes: options.classes } : {},
        ),
        distance,
        relativeDistance,
      });
    });
  });
  return {
    alphas,
    curves: out,
    nonFinite,
    hold,
    bnStats: typeof bnMode === "string" ? bnMode : "recompute",
  };
}

function resolveEvaluators(
  evaluate: EvaluatorLike | Readonly<Record<string, EvaluatorLike>>,
): Record<string, EvaluateStep> {
  if (typeof evaluate === "function") return { loss: toEvaluator(evaluate) };
  if (!evaluate || typeof evaluate !== "object" || Object.keys(evaluate).length === 0) {
    throw new SamConfigError(
      "interpolate evaluate is missing: pass an evaluator (modelEvaluator({ model, x, y })), a loss closure, or { train, test } of them.",
    );
  }
  return Object.fromEntries(
    Object.entries(evaluate).map(([name, fn]) => [name, toEvaluator(fn, `evaluate.${name}`)]),
  );
}

function resolveBnMode(
  params: ParamSet,
  from: ParamState,
  to: ParamState,
  mode: BatchNormStatsMode | undefined,
): BatchNormStatsMode {
  const stats = params.stateVariables;
  const has = (s: ParamState) => stats.every((v) => s.stats?.[v.path] !== undefined);
  if (stats.length === 0) return mode ?? "keep";
  if (mode === undefined) {
    if (has(from) && has(to)) return "interpolate";
    throw new SamConfigError(
      `The model has ${stats.length} BatchNorm statistics (e.g. ${JSON.stringify(stats[0]!.path)}) but the endpoints do not both carry them, ` +
        'so interpolate cannot choose: pass bnStats: "keep", "from", "to" or { recompute: { model, batches } }, ' +
        "or capture both endpoints with captureState(params) (statistics included).",
    );
  }
  if (typeof mode === "object") {
    if (!mode.recompute || typeof mode.recompute.model?.apply !== "function") {
      throw new SamConfigError(
        "interpolate bnStats.recompute needs { model, batches }: the tf.LayersModel and the input batches to re-estimate the statistics on.",
      );
    }
    return mode;
  }
  const needs: Record<string, ParamState[]> = { interpolate: [from, to], from: [from], to: [to], keep: [] };
  const required = needs[mode];
  if (!required) {
    throw new SamConfigError(
      `interpolate bnStats is ${JSON.stringify(mode)}: use "interpolate", "from", "to", "keep" or { recompute: { model, batches } }.`,
    );
  }
  for (const s of required) {
    if (!has(s)) {
      throw new SamConfigError(
        `interpolate bnStats is "${mode}" but the ${s === from ? "from" : "to"} state lacks BatchNorm statistics. ` +
          "Capture it with captureState(params) (stats: true), or choose another mode.",
      );
    }
  }
  return mode;
}

function distances(members: readonly Param[], from: ParamState, to: ParamState) {
  let d2 = 0;
  let n2 = 0;
  for (const p of members) {
    const a = from.params[p.path]!.values;
    const b = to.params[p.path]!.values;
    for (let i = 0; i < a.length; i++) {
      d2 += (b[i]! - a[i]!) ** 2;
      n2 += a[i]! ** 2;
    }
  }
  const distance = Math.sqrt(d2);
  return { distance, relativeDistance: n2 > 0 ? distance / Math.sqrt(n2) : null };
}

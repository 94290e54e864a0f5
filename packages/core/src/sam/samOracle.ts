import * as tf from "@tensorflow/tfjs-core";
import { disposeKeptDuring } from "../internal/disposeKeptDuring";
import { NonFiniteLossError, SamConfigError, show } from "../internal/errors";
import type { GradientOracle, GradientRequest, GradientResult, OracleState } from "../oracles/gradientOracle";
import { differentiate } from "../oracles/plainGradient";
import type { ParamGroup } from "../params/groupParams";
import type { Param, ParamSet } from "../params/param";
import { ParamSnapshot } from "../params/paramSnapshot";
import {
  compileSelector,
  isSerializableSelector,
  type Selector,
  type SelectorSpec,
} from "../params/selectors";
import { withPerturbation } from "../params/withPerturbation";
import { clipScale } from "../rules/chainRules";
import { type HyperValue, resolveHyperValue } from "../rules/schedule";
import { isChunkedLoss } from "./chunkedLoss";
import { type AdaptiveMode, perturbation } from "./perturbation";
import { withSplitConvolutionGradients } from "./splitConvolutionGradients";

/** ASAM's operator and which tensors it applies to. */
export interface AdaptiveOptions {
  /** The operator T (see {@link AdaptiveMode}). */
  readonly mode: AdaptiveMode;
  /** eta in abs(w) + eta and norm2(w) (1 + eta). Default 0.01 (the ASAM paper; its scripts use 0). */
  readonly eta?: number;
  /**
   * Tensors T applies to (others get T = 1). Default for `elementwise` and `layerwise`: the
   * weights, i.e. kernels and normalization scales (`weight` or `norm-scale` tags, what
   * PyTorch names `weight`), as in Kwon et al.; for `abs`: every tensor, as davda54/sam does.
   */
  readonly params?: Selector;
}

/** Options of {@link samOracle}. */
export interface SamOracleOptions {
  /**
   * rho: the radius of the ascent step (SAM, ASAM) or, with `normalized: false`, the
   * multiplier of the gradient (USAM). A number, a schedule, or a function of the step.
   * Units differ: rho_USAM ~ rho_SAM / ||g||, and ASAM's good rho is ~10x SAM's.
   */
  readonly rho: HyperValue;
  /** The perturbed set S. Default: every parameter. SAM-ON: `hasTag('norm')`. */
  readonly perturb?: Selector;
  /** ASAM's operator, or false (default) for plain SAM. */
  readonly adaptive?: AdaptiveOptions | false;
  /** `2` (default) or `'inf'`: the l-infinity ball, e = rho * T * sign(g). */
  readonly norm?: 2 | "inf";
  /** false: USAM, e = rho * g. Default true. */
  readonly normalized?: boolean;
  /** epsilon in rho / (||v|| + epsilon). Default 1e-12 (davda54; ASAM and SAM-ON use 1e-16). */
  readonly epsilon?: number;
  /**
   * Moving statistics (BatchNorm) in the second pass: `'first-pass'` (default) keeps the
   * update of the first pass only, as davda54's `disable_running_stats` and the JAX code
   * do; `'both-passes'` lets the perturbed pass update them too, as the ASAM and SAM-ON
   * training scripts do.
   */
  readonly bnStats?: "first-pass" | "both-passes";
  /** JAX-style weight decay: adds c/2 * sum ||w||^2 to the loss of both passes. Default 0. */
  readonly l2InLoss?: number;
  /** Clip the final (second-pass) gradient to this global L2 norm before the update, as the JAX code does. */
  readonly clipGradNorm?: number;
  /**
   * Steps in [start, end) take SAM steps; outside, one plain gradient (SAM-ON's
   * start_sam/end_sam). Shorthand for a rho schedule that is 0 outside the window, e.g.
   * `rho: { schedule: 'piecewise', boundaries: [start, end], values: [0, rho, 0] }`.
   */
  readonly window?: { readonly start?: number; readonly end?: number };
  /**
   * Read both losses every step, stop with an error naming the pass whose loss is not
   * finite, and fill `diagnostics`. Costs two scalar reads per step (a device sync on GPU
   * backends). Default false: the optimizer already rejects any step whose loss or update is
   * not finite, restoring everything, with one read per step.
   */
  readonly checkFinite?: boolean;
  /**
   * With a `chunkedLoss` (the batch as n micro-batches): `'per-micro'` (default) gives each
   * micro-batch its own e (m-sharpness, m = batch / n); `'global'` takes one e from the
   * accumulated (mean) first-pass gradient and averages the micro-batches' gradients at
   * w + e, which equals SAM on the whole batch for a model without BatchNorm (gradient
   * accumulation).
   */
  readonly accumulation?: "per-micro" | "global";
  /** Allow rho = 0 (then the step equals the base rule at twice the cost; for equivalence tests). */
  readonly allowZeroRho?: boolean;
}

/** Measurements of the last step (filled when `checkFinite` is on, which reads them anyway). */
export interface SamDiagnostics {
  /** L(w), the first-pass loss (mean over chunks). */
  loss: number;
  /** L(w + e), the second-pass loss (mean over chunks). */
  perturbedLoss: number;
  /** Whether the step was a SAM step (inside the window, rho > 0). */
  sam: boolean;
}

/** The SAM-family oracle, with its diagnostics. */
export interface SamOracle extends GradientOracle {
  readonly diagnostics: Readonly<SamDiagnostics> | null;
}

const WEIGHTS: SelectorSpec = { or: [{ tag: "weight" }, { tag: "norm-scale" }] };

/**
 * The two-pass gradient oracle of sharpness-aware minimization (Foret et al. 2021) and its
 * variants. One step, with S the perturbed set and e the ascent step of {@link perturbation}:
 *
 * ```
 * pass 1:  L(w), g_S = grad_S L(w)              gradients of S only (SAM-ON: the norm layers;
 *                                               no filter gradient of a Conv2D outside S)
 *          e = perturbation(w_S, g_S)
 * pass 2:  g_SAM = grad L(w + e)                 every active parameter; w_S restored in finally
 * return   L(w), g_SAM                           the rule then updates w (never w + e)
 * ```
 * m-sharpness: given a loss made by `chunkedLoss(batch, m, ...)`, each chunk of m examples
 * gets its own e and the pass-2 gradients are averaged; with `accumulation: 'global'` one e
 * comes from the mean pass-1 gradient (gradient accumulation: SAM on the whole batch). BatchNorm moving statistics (the
 * parameter set's `stateVariables`) keep the first pass's update by default; with chunks
 * they become the mean of the per-chunk updates (JAX's replica averaging).
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams, samOracle, sgd, hasTag } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 },
 *   rule: sgd(),
 *   oracle: samOracle({ rho: 0.5, perturb: hasTag("norm") }), // SAM-ON
 * });
 * ```
 */
export function samOracle(options: SamOracleOptions): SamOracle {
  const o = validate(options);
  let diagnostics: SamDiagnostics | null = null;

  const oracle: SamOracle = {
    kind: "sam",
    lossEvaluations: 2,
    get diagnostics() {
      return diagnostics;
    },
    init(params: ParamSet, groups: readonly ParamGroup[]): SamState {
      return bindSam(o, params, groups);
    },
    gradients(request: GradientRequest, bound?: OracleState): GradientResult {
      const rho = samRho(o, request.ctx.step);
      const out = samPasses(o, request, bound, rho, false);
      if (out.plain) {
        diagnostics = null;
        return { loss: out.loss, grads: clip(out.grads, o.clipGradNorm) };
      }
      if (out.diagnostics) diagnostics = out.diagnostics;
      return {
        loss: out.loss,
        grads: clip(out.grads, o.clipGradNorm),
        extras: { perturbedLoss: out.perturbedLoss! },
      };
    },
    getConfig: () => samConfig("sam", options),
  };
  return oracle;
}

/** Checks SAM options and fills the defaults. @internal */
export function validate(options: SamOracleOptions) {
  if (!options || options.rho === undefined) {
    throw new SamConfigError(
      "SAM needs rho, the radius of the ascent step, e.g. { rho: 0.05 } (SAM), 0.5 (ASAM, SAM-ON).",
    );
  }
  const { rho } = options;
  if (typeof rho === "number") {
    if (!Number.isFinite(rho) || rho < 0 || (rho === 0 && !options.allowZeroRho)) {
      throw new SamConfigError(
        `SAM rho is ${rho}: it must be a finite number > 0 (typical: 0.05 for SAM, 0.5 for ASAM and SAM-ON). ` +
          (rho === 0
            ? "rho = 0 is the base optimizer at twice the cost; use the base rule, or pass allowZeroRho: true for an equivalence test."
            : ""),
      );
    }
  }
  const epsilon = options.epsilon ?? 1e-12;
  if (!(Number.isFinite(epsilon) && epsilon >= 0)) {
    throw new SamConfigError(`SAM epsilon is ${epsilon}: it must be a finite number >= 0. Default 1e-12.`);
  }
  const l2 = options.l2InLoss ?? 0;
  if (!(Number.isFinite(l2) && l2 >= 0)) {
    throw new SamConfigError(
      `SAM l2InLoss is ${l2}: it must be a finite number >= 0 (JAX's default is 1e-3).`,
    );
  }
  if (
    options.clipGradNorm !== undefined &&
    !(options.clipGradNorm > 0 && Number.isFinite(options.clipGradNorm))
  ) {
    throw new SamConfigError(
      `SAM clipGradNorm is ${options.clipGradNorm}: it must be a finite number > 0, or left out.`,
    );
  }
  const eta = options.adaptive ? (options.adaptive.eta ?? 0.01) : 0;
  if (!(Number.isFinite(eta) && eta >= 0)) {
    throw new SamConfigError(
      `ASAM eta is ${eta}: it must be a finite number >= 0 (paper 0.01, the published scripts 0).`,
    );
  }
  if (options.adaptive && !["elementwise", "abs", "layerwise"].includes(options.adaptive.mode)) {
    throw new SamConfigError(
      `ASAM mode is ${show(options.adaptive.mode)}: use 'elementwise' (Kwon et al.), 'abs' (davda54/sam) or 'layerwise' (SAM-ON).`,
    );
  }
  if (options.accumulation !== undefined && !["per-micro", "global"].includes(options.accumulation)) {
    throw new SamConfigError(
      `SAM accumulation is ${show(options.accumulation)}: use 'per-micro' (one e per micro-batch, m-sharpness) or 'global' (one e from the accumulated gradient).`,
    );
  }
  if (options.norm !== undefined && options.norm !== 2 && options.norm !== "inf") {
    throw new SamConfigError(`SAM norm is ${show(options.norm)}: use 2 or 'inf'.`);
  }
  return {
    rho: windowed(rho, options.window),
    perturb: options.perturb ?? ({ all: true } as SelectorSpec),
    adaptive: options.adaptive || null,
    norm: options.norm ?? 2,
    normalized: options.normalized ?? true,
    epsilon,
    bnStats: options.bnStats ?? "first-pass",
    l2InLoss: l2,
    clipGradNorm: options.clipGradNorm,
    checkFinite: options.checkFinite ?? false,
    allowZeroRho: options.allowZeroRho ?? false,
    accumulation: options.accumulation ?? "per-micro",
  };
}

/** SAM's options with their defaults filled in. @internal */
export type ResolvedSamOptions = ReturnType<typeof validate>;

/**
 * SAM's window as a schedule of rho: rho(step) inside [start, end), 0 outside (so those steps
 * take one plain gradient). The oracle itself knows no window.
 */
function windowed(rho: HyperValue, window: SamOracleOptions["window"]): HyperValue {
  if (!window || (window.start === undefined && window.end === undefined)) return rho;
  const start = window.start ?? 0;
  const end = window.end ?? Number.POSITIVE_INFINITY;
  return (step: number) => (step >= start && step < end ? (resolveHyperValue(rho, step) as number) : 0);
}

/** Adds c/2 * sum ||w||^2 to a loss closure. @internal */
export function withL2(lossFn: () => tf.Scalar, params: ParamSet, c: number): () => tf.Scalar {
  return () =>
    tf.add(
      lossFn(),
      tf.mul(c / 2, tf.addN(params.params.map((p) => tf.sum(tf.square(p.variable))))),
    ) as tf.Scalar;
}

/** Clips to a global L2 norm (JAX form). @internal */
export function clip(grads: readonly (tf.Tensor | null)[], maxNorm: number | undefined) {
  if (maxNorm === undefined) return grads;
  const present = grads.filter((g): g is tf.Tensor => g !== null);
  if (present.length === 0) return grads;
  const scale = clipScale(present, maxNorm); // JAX's form: g * c / ||g|| when ||g|| >= c
  return grads.map((g) => (g ? tf.mul(g, scale) : null));
}

/** What one optimizer's binding of the SAM oracle holds (made by `init`, freed by `dispose`). @internal */
export interface SamState extends OracleState {
  readonly perturbed: readonly Param[];
  readonly adaptiveOf: (p: Param) => boolean;
  readonly layersOutside: (S: readonly Param[]) => ParamSet["layers"];
  readonly weights: ParamSnapshot;
  readonly state: ParamSnapshot<{ variable: tf.Variable }>;
}

/** Reads a scalar once, throws if it is not finite, and returns it. */
function assertFinite(value: tf.Scalar, what: string, step: number): number {
  const v = value.dataSync()[0]!;
  if (!Number.isFinite(v)) {
    throw new NonFiniteLossError(
      `The ${what} is ${v} at step ${step}; the weights were restored and not updated. ` +
        "Lower the learning rate or rho, check the data and labels for NaN, or clip gradients (clipGradNorm).",
    );
  }
  return v;
}

/** Binds SAM's options to one optimizer's parameters (the perturbed set, buffers). @internal */
export function bindSam(o: ResolvedSamOptions, params: ParamSet, groups: readonly ParamGroup[]): SamState {
  const inGroups = new Set(groups.flatMap((g) => g.params.map((p) => p.index)));
  const select = compileSelector(o.perturb);
  const perturbed = params.params.filter((p) => inGroups.has(p.index) && select(p));
  if (perturbed.length === 0) {
    throw new SamConfigError(
      `The SAM perturbation selector ${show(o.perturb)} matched no parameter of the optimizer. ` +
        (JSON.stringify(o.perturb).includes('"norm"')
          ? "SAM-ON perturbs normalization layers (BatchNormalization / LayerNormalization gamma and beta), and this model has none: use sam() to perturb every parameter, add normalization layers, or tag your own normalization layer's parameters 'norm' with a tag rule."
          : "Check the selector against params.paths() and the tags."),
    );
  }
  const adaptiveOf = o.adaptive
    ? compileSelector(o.adaptive.params ?? (o.adaptive.mode === "abs" ? { all: true } : WEIGHTS))
    : () => false;
  const layers = params.layers;
  /** Layers owning no parameter of S, by S (S changes only when the active groups do). */
  const outside = new Map<string, ParamSet["layers"]>();
  const layersOutside = (S: readonly Param[]): ParamSet["layers"] => {
    const key = S.map((p) => p.index).join(",");
    let found = outside.get(key);
    if (!found) {
      const inS = new Set(S.map((p) => p.variable.name));
      found = layers.filter((layer) =>
        layer.trainableWeights.every((w) => !inS.has((w.read() as tf.Variable).name)),
      );
      outside.set(key, found);
    }
    return found;
  };
  const weights = new ParamSnapshot(perturbed);
  const state = new ParamSnapshot(params.stateVariables);
  return {
    perturbed,
    adaptiveOf,
    layersOutside,
    weights,
    state,
    dispose() {
      weights.dispose();
      state.dispose();
    },
  };
}

/** rho at this step, checked. @internal */
export function samRho(o: ResolvedSamOptions, step: number): number {
  const rho = resolveHyperValue(o.rho, step) as number;
  if (!(Number.isFinite(rho) && rho >= 0)) {
    throw new SamConfigError(
      `SAM rho is ${rho} at step ${step}: it must be a finite number >= 0. Fix the rho schedule.`,
    );
  }
  return rho;
}

/**
 * A perturbation other than SAM's (Friendly-SAM, Fisher-SAM): e for each tensor of the
 * perturbed set S (active ones), from their first-pass gradients and rho. @internal
 */
export type PerturbationOf = (
  S: readonly Param[],
  grads: readonly (tf.Tensor | null)[],
  rho: number,
) => tf.Tensor[];

/** What {@link samPasses} measured. @internal */
export interface SamPasses {
  /** True when no SAM step was taken (rho = 0 or nothing perturbed): one plain gradient. */
  readonly plain: boolean;
  /** L(w), mean over micro-batches. */
  readonly loss: tf.Scalar;
  /** L(w + e), mean over micro-batches (absent on a plain step). */
  readonly perturbedLoss?: tf.Scalar;
  /** g_SAM, aligned with `request.active` (mean over micro-batches). */
  readonly grads: readonly (tf.Tensor | null)[];
  /** With `fullFirst`: the first-pass gradient g = grad L(w), aligned with `request.active`. */
  readonly first?: readonly (tf.Tensor | null)[];
  /** Filled when `checkFinite` is on. */
  readonly diagnostics?: SamDiagnostics;
}

/**
 * acc + gs, freeing what the sum replaces: an old accumulator entry and the addend it was
 * summed with (the first addend is kept as the accumulator itself, no copy). So an
 * accumulator costs one copy of the gradients, however many micro-batches are added.
 */
function accumulate(
  acc: (tf.Tensor | null)[] | null,
  gs: readonly (tf.Tensor | null)[],
): (tf.Tensor | null)[] {
  if (!acc) return [...gs];
  return acc.map((a, i) => {
    const g = gs[i] ?? null;
    if (!(a && g)) return a ?? g;
    const sum = tf.add(a, g);
    a.dispose();
    g.dispose();
    return sum;
  });
}

/** Frees the tensors of a gradient list (the step's tidy would free them only at its end). */
function free(ts: readonly (tf.Tensor | null)[]): void {
  for (const t of ts) t?.dispose();
}

/**
 * SAM's two passes (see {@link samOracle}), shared by the SAM-family oracles. With
 * `fullFirst`, pass 1 differentiates every active parameter (GSAM and LookSAM need g over
 * all of them), else only the perturbed set. Runs inside the optimizer's tidy. @internal
 */
export function samPasses(
  o: ResolvedSamOptions,
  request: GradientRequest,
  bound: OracleState | undefined,
  rho: number,
  fullFirst: boolean,
  deltasOf?: PerturbationOf,
): SamPasses {
  if (!bound) {
    throw new SamConfigError("The SAM oracle was used before an optimizer bound it to parameters (init).");
  }
  const { perturbed, adaptiveOf, layersOutside, weights, state } = bound as SamState;
  const { step } = request.ctx;
  const lossFn = o.l2InLoss > 0 ? withL2(request.lossFn, request.params, o.l2InLoss) : request.lossFn;
  const activeSet = new Set(request.active.map((p) => p.index));
  const S = perturbed.filter((p) => activeSet.has(p.index));
  if ((rho === 0 && !o.allowZeroRho) || S.length === 0) {
    const plain = differentiate(
      lossFn,
      request.active.map((p) => p.variable),
    );
    return { plain: true, loss: plain.loss, grads: plain.grads, first: plain.grads };
  }
  // Pass 1 needs no gradient of a convolution kernel outside S: split those layers' fused
  // op so that the backward skips their filter gradients (SAM-ON's saving).
  const unasked = fullFirst ? [] : layersOutside(S);
  const firstParams = fullFirst ? request.active : S;
  const sIndex = S.map((p) => firstParams.findIndex((q) => q.index === p.index));
  const chunks = isChunkedLoss(request.lossFn)
    ? request.lossFn.chunks.map((c) => (o.l2InLoss > 0 ? withL2(c, request.params, o.l2InLoss) : c))
    : [lossFn];
  const k = chunks.length;
  const multiChunk = k > 1;
  if (multiChunk && o.bnStats === "both-passes" && state.params.length > 0) {
    throw new SamConfigError(
      "bnStats 'both-passes' with micro-batches (a chunkedLoss) is not supported: moving statistics are averaged over micro-batches from the first pass only. Use bnStats: 'first-pass'.",
    );
  }
  const hasState = state.params.length > 0;
  const global = o.accumulation === "global" && multiChunk;
  // The snapshot's buffers still hold last step's weights: rebinding them to the current
  // ones (no copy, the data is shared) frees that stale copy before pass 1.
  weights.save();
  if (hasState && multiChunk) state.save(); // r0: every micro-batch's pass 1 starts from it
  let stateSum: tf.Tensor[] | null = null;
  const losses: tf.Scalar[] = [];
  const perturbedLosses: tf.Scalar[] = [];
  const firstValues: number[] = [];
  const secondValues: number[] = [];
  let gradSum: (tf.Tensor | null)[] | null = null;
  let firstSum: (tf.Tensor | null)[] | null = null;

  // Memory: the step runs inside the optimizer's tidy, which frees its tensors only at the
  // end. So everything this function no longer needs is disposed at once: at the second
  // pass's backward (the step's peak) the only SAM-specific tensors alive are w0 (the
  // snapshot's buffers, shared with the optimizer's rollback clones) and, with
  // micro-batches, the gradient accumulator; not g1, not e, not the norm's intermediates.
  const passOne = (chunk: () => tf.Scalar) => {
    if (hasState && multiChunk) state.restore();
    const first = withSplitConvolutionGradients(unasked, () =>
      differentiate(
        chunk,
        firstParams.map((p) => p.variable),
      ),
    );
    losses.push(first.loss);
    if (o.checkFinite) firstValues.push(assertFinite(first.loss, "first-pass loss L(w)", step));
    if (hasState && multiChunk) {
      const now = state.params.map((s) => s.variable as tf.Tensor);
      stateSum = stateSum
        ? (accumulate(
            stateSum,
            now.map((t) => tf.clone(t)),
          ) as tf.Tensor[])
        : now.map((t) => tf.clone(t));
    }
    return first.grads;
  };
  /** e over the perturbed set (null outside S), in a tidy: only e survives. */
  const deltasFrom = (g: readonly (tf.Tensor | null)[]) => {
    const deltas = tf.tidy(() =>
      deltasOf
        ? deltasOf(
            S,
            S.map((_, i) => g[sIndex[i]!] ?? null),
            rho,
          )
        : perturbation(
            S.map((p, i) => ({ weight: p.variable, grad: g[sIndex[i]!] ?? null, adaptive: adaptiveOf(p) })),
            {
              rho,
              norm: o.norm,
              normalized: o.normalized,
              adaptive: o.adaptive ? { mode: o.adaptive.mode, eta: o.adaptive.eta ?? 0.01 } : null,
              epsilon: o.epsilon,
            },
          ).deltas,
    );
    const deltaOf = new Map(S.map((p, i) => [p.index, deltas[i]!]));
    return perturbed.map((p) => deltaOf.get(p.index) ?? null);
  };
  /** Runs fn at w + e; e is added into the weights and freed first; w0 restored bit for bit. */
  const atPerturbed = (fullDeltas: (tf.Tensor | null)[], fn: () => void) =>
    withPerturbation(weights, fullDeltas, fn, { consume: true });
  // Pass 2's gradient at the current (perturbed) weights. Moving statistics: restored after
  // pass 2 unless both passes count (one micro-batch only). With micro-batches the snapshot
  // already holds what to restore (r0, or the average of the pass-1 states with 'global').
  const passTwo = (chunk: () => tf.Scalar) => {
    const freeze = hasState && (o.bnStats === "first-pass" || multiChunk);
    if (freeze && !multiChunk) state.save();
    let second: GradientResult;
    try {
      second = disposeKeptDuring(() =>
        differentiate(
          chunk,
          request.active.map((p) => p.variable),
        ),
      );
    } finally {
      if (freeze) state.restore();
    }
    perturbedLosses.push(second.loss);
    if (o.checkFinite) secondValues.push(assertFinite(second.loss, "second-pass loss L(w + e)", step));
    gradSum = accumulate(gradSum, second.grads);
  };
  const averageState = () => {
    if (hasState && multiChunk && stateSum) {
      state.params.forEach((s, i) => s.variable.assign(tf.div(stateSum![i]!, k)));
      free(stateSum);
    }
  };
  const mean = (gs: (tf.Tensor | null)[]) => {
    if (k === 1) return gs;
    const out = gs.map((g) => (g ? tf.div(g, k) : null));
    free(gs);
    return out;
  };

  if (global) {
    // gradient accumulation: one e from the mean first-pass gradient over the micro-batches
    for (const chunk of chunks) firstSum = accumulate(firstSum, passOne(chunk));
    averageState();
    if (hasState) state.save();
    firstSum = mean(firstSum!);
    const fullDeltas = deltasFrom(firstSum);
    if (!fullFirst) free(firstSum);
    atPerturbed(fullDeltas, () => {
      for (const chunk of chunks) passTwo(chunk);
    });
  } else {
    // m-sharpness: one e per micro-batch
    for (const chunk of chunks) {
      const g = passOne(chunk);
      const fullDeltas = deltasFrom(g);
      if (fullFirst) firstSum = accumulate(firstSum, g);
      else free(g);
      atPerturbed(fullDeltas, () => passTwo(chunk));
    }
    averageState();
    if (fullFirst) firstSum = mean(firstSum!);
  }
  const meanLoss = (ls: tf.Scalar[]) => (k === 1 ? ls[0]! : (tf.div(tf.addN(ls), k) as tf.Scalar));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    plain: false,
    loss: meanLoss(losses),
    perturbedLoss: meanLoss(perturbedLosses),
    grads: mean(gradSum!),
    ...(fullFirst ? { first: firstSum! } : {}),
    ...(o.checkFinite
      ? { diagnostics: { loss: avg(firstValues), perturbedLoss: avg(secondValues), sam: true } }
      : {}),
  };
}

/** A SAM-family oracle's plain-data config; refuses function selectors and rho. @internal */
export function samConfig(
  kind: string,
  options: SamOracleOptions,
): { kind: string; [option: string]: unknown } {
  const adaptive = options.adaptive || null;
  if (
    !isSerializableSelector(options.perturb ?? { all: true }) ||
    (adaptive?.params && !isSerializableSelector(adaptive.params))
  ) {
    throw new SamConfigError(
      `The ${kind} oracle selects with a function, which cannot be saved. Use a selector spec such as { tag: 'norm' }.`,
    );
  }
  if (typeof options.rho === "function") {
    throw new SamConfigError(
      `The ${kind} oracle's rho is a function, which cannot be saved. Use a number or a schedule spec.`,
    );
  }
  return { kind, ...JSON.parse(JSON.stringify(options)) };
}

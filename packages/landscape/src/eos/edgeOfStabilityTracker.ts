import { SamConfigError, type Selector } from "@sam/core";
import type * as tf from "@tensorflow/tfjs-core";
import { type HessianOperator, hessianOperator } from "../hessian/hessianOperator";
import type { LinearOperator } from "../hessian/linearOperator";
import type { HvpOptions } from "../hessian/hessianVectorProduct";
import { powerIteration } from "../hessian/powerIteration";
import { type ParamsLike, resolveParams } from "../internal/resolveParams";
import { scalarValue } from "../internal/scalar";
import { edgeOfStabilityThreshold } from "./edgeOfStabilityThreshold";

/** Options of {@link EdgeOfStabilityTracker}. */
export interface EdgeOfStabilityOptions extends HvpOptions {
  /** The parameters whose Hessian is tracked. */
  readonly params: ParamsLike;
  /**
   * The loss the sharpness is measured on: a fixed (sub)set of the training data, in
   * inference mode (e.g. {@link modelLoss}); Cohen et al. use up to 5000 examples.
   */
  readonly lossFn: () => tf.Scalar;
  /** The learning rate eta, or a schedule step -> eta (the threshold follows it). */
  readonly lr: number | ((step: number) => number);
  /** Measure every N steps (step 0 included). Default 50. */
  readonly every?: number;
  /** Heavy-ball momentum beta of the optimiser (threshold (2 + 2 beta) / eta). Default 0. */
  readonly momentum?: number;
  /** Nesterov momentum. Default false. */
  readonly nesterov?: boolean;
  /**
   * Adam mode (Cohen et al. 2022, "Adaptive gradient methods at the edge of stability"): track
   * the preconditioned sharpness lambda_max(P^-1 H) against (2 + 2 beta_1) / ((1 - beta_1) eta),
   * 38 / eta for beta_1 = 0.9, where P is Adam's preconditioner after t updates:
   * P = (1 - beta_1^t) diag(sqrt(v_t / (1 - beta_2^t)) + epsilon). Not with `momentum`/`nesterov`.
   */
  readonly adam?: AdamPreconditioner;
  /** Power iterations per measurement at most. Default 20. */
  readonly maxIter?: number;
  /** Power-iteration tolerance. Default 1e-4. */
  readonly tol?: number;
  /** Start each power iteration from the previous eigenvector (fewer iterations). Default true. */
  readonly warmStart?: boolean;
  /** Track only these parameters' Hessian block. */
  readonly select?: Selector;
  /** Called with every new record. */
  readonly onMeasure?: (record: EdgeOfStabilityRecord) => void;
}

/** Adam's state that {@link EdgeOfStabilityTracker} reads in Adam mode. */
export interface AdamPreconditioner {
  /**
   * Adam's second moment v_t (the raw moving average of g^2, not bias-corrected), one tensor
   * per tracked parameter, in the tracker's parameter order, after t = `step` updates. The
   * tracker reads and does not dispose them (they are the optimizer's state).
   */
  readonly secondMoment: () => readonly tf.Tensor[] | Promise<readonly tf.Tensor[]>;
  /** beta_1. Default 0.9. */
  readonly beta1?: number;
  /** beta_2. Default 0.999. */
  readonly beta2?: number;
  /** epsilon added to sqrt(v_hat). Default 1e-8 (PyTorch, the paper; `tf.train.adam` uses 1e-7). */
  readonly epsilon?: number;
}

/** One measurement (plain JSON). */
export interface EdgeOfStabilityRecord {
  /** Training step (optimizer updates done before the measurement). */
  step: number;
  /**
   * Top Hessian eigenvalue lambda_max (largest magnitude, by power iteration); in Adam mode the
   * preconditioned sharpness lambda_max(P^-1 H).
   */
  lambdaMax: number;
  /** The stability threshold 2 / eta (momentum-adjusted; 38 / eta for Adam with beta_1 = 0.9) at this step. */
  threshold: number;
  /** lambdaMax / threshold: 1 on the edge of stability. */
  ratio: number;
  /** eta lambda_max: 2 on the edge of stability for plain GD. */
  lrTimesSharpness: number;
  /** The tracked loss at this step. */
  loss: number;
  /** Power iterations used, and whether they met the tolerance. */
  iterations: number;
  converged: boolean;
}

/**
 * Tracks the top Hessian eigenvalue during training beside the stability threshold 2/eta
 * (Cohen et al. 2021: under full-batch GD, lambda_max rises until 2/eta, "progressive
 * sharpening", then hovers there, "edge of stability"). Every `every` steps it runs power
 * iteration on finite-difference Hessian-vector products of `lossFn`, warm-started from the
 * last eigenvector; the weights are restored exactly after each measurement. Use it from a
 * custom loop (`await tracker.step(t)` after each update) or as a `model.fit` callback
 * (`callbacks: [tracker.callback()]`, counting batches as steps).
 *
 * Adam mode (`adam: { secondMoment }`, Cohen et al. 2022): Adam's step is
 * w <- w - eta P^-1 m with m the moving average of gradients and
 * P = (1 - beta_1^t) diag(sqrt(v_hat_t) + epsilon), v_hat_t = v_t / (1 - beta_2^t), so the
 * sharpness that meets the edge is lambda_max(P^-1 H), and the threshold is that of momentum
 * written as a moving average, (2 + 2 beta_1) / ((1 - beta_1) eta). The tracker runs power
 * iteration on the symmetric P^-1/2 H P^-1/2 (same eigenvalues as P^-1 H). It needs v_t with
 * t >= 1: at step 0 (v_0 = 0) it does not measure.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { collectParams } from "@sam/core";
 * import { EdgeOfStabilityTracker, modelLoss, sharpnessPlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const tracker = new EdgeOfStabilityTracker({
 *   params: collectParams(model), lossFn: modelLoss(model, x.slice(0, 256), y.slice(0, 256), "halfSquaredError"), lr: 0.01, every: 100,
 * });
 * model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
 * await model.fit(x, y, { batchSize: x.shape[0], epochs: 2000, callbacks: [tracker.callback()] });
 * await writePlot(sharpnessPlot(tracker.history), "out/eos");
 * ```
 */
export class EdgeOfStabilityTracker {
  /** Every measurement so far, in order. */
  readonly history: EdgeOfStabilityRecord[] = [];
  private readonly options: EdgeOfStabilityOptions;
  private readonly every: number;
  private vector: Float64Array | undefined;
  private fitStep = 0;

  constructor(options: EdgeOfStabilityOptions) {
    if (!options || typeof options.lossFn !== "function") {
      throw new SamConfigError(
        "EdgeOfStabilityTracker needs lossFn: a closure () => tf.Scalar over a fixed training subset (e.g. modelLoss(model, x, y)).",
      );
    }
    resolveParams(options.params, options.select);
    this.every = options.every ?? 50;
    if (!Number.isInteger(this.every) || this.every < 1) {
      throw new SamConfigError(
        `EdgeOfStabilityTracker every is ${options.every}: it must be a positive integer such as 50.`,
      );
    }
    if (typeof options.lr !== "function") edgeOfStabilityThreshold(options.lr);
    if (options.adam) {
      const a = options.adam;
      if (typeof a.secondMoment !== "function") {
        throw new SamConfigError(
          "EdgeOfStabilityTracker adam.secondMoment must be a function returning Adam's v_t, one tensor per tracked parameter.",
        );
      }
      if (options.momentum !== undefined || options.nesterov !== undefined) {
        throw new SamConfigError(
          "EdgeOfStabilityTracker: adam with momentum/nesterov: Adam's threshold comes from adam.beta1; drop momentum and nesterov.",
        );
      }
      for (const [name, value, ok] of [
        ["beta1", a.beta1 ?? 0.9, (x: number) => x >= 0 && x < 1],
        ["beta2", a.beta2 ?? 0.999, (x: number) => x >= 0 && x < 1],
        ["epsilon", a.epsilon ?? 1e-8, (x: number) => x >= 0 && Number.isFinite(x)],
      ] as const) {
        if (!(typeof value === "number" && ok(value))) {
          throw new SamConfigError(
            `EdgeOfStabilityTracker adam.${name} is ${value}: beta1 and beta2 must be in [0, 1) (0.9, 0.999), epsilon >= 0 (1e-8).`,
          );
        }
      }
    }
    this.options = options;
  }

  /** The threshold at `step`. */
  threshold(step: number): number {
    const lr = typeof this.options.lr === "function" ? this.options.lr(step) : this.options.lr;
    if (this.options.adam)
      return edgeOfStabilityThreshold(lr, { momentum: this.options.adam.beta1 ?? 0.9, ema: true });
    return edgeOfStabilityThreshold(lr, {
      ...(this.options.momentum !== undefined ? { momentum: this.options.momentum } : {}),
      ...(this.options.nesterov !== undefined ? { nesterov: this.options.nesterov } : {}),
    });
  }

  /** Measures when `step` is a multiple of `every`; returns the record, or null when it did not measure. */
  async step(step: number): Promise<EdgeOfStabilityRecord | null> {
    return step % this.every === 0 && !(this.options.adam && step === 0) ? this.measure(step) : null;
  }

  /** Measures now, whatever the step. */
  async measure(step: number): Promise<EdgeOfStabilityRecord> {
    const o = this.options;
    const op = hessianOperator(o.params, o.lossFn, {
      ...(o.select !== undefined ? { select: o.select } : {}),
      ...(o.method !== undefined ? { method: o.method } : {}),
      ...(o.epsilon !== undefined ? { epsilon: o.epsilon } : {}),
    });
    try {
      const target = o.adam ? await preconditioned(op, o.adam, step) : op;
      const res = await powerIteration(target, {
        maxIter: o.maxIter ?? 20,
        tol: o.tol ?? 1e-4,
        seed: this.history.length + 1,
        ...((o.warmStart ?? true) && this.vector ? { init: this.vector } : {}),
      });
      this.vector = res.vectors[0];
      const threshold = this.threshold(step);
      const lambdaMax = res.values[0]!;
      const lr = typeof o.lr === "function" ? o.lr(step) : o.lr;
      const record: EdgeOfStabilityRecord = {
        step,
        lambdaMax,
        threshold,
        ratio: lambdaMax / threshold,
        lrTimesSharpness: lr * lambdaMax,
        loss: scalarValue(o.lossFn),
        iterations: res.iterations[0]!,
        converged: res.converged[0]!,
      };
      this.history.push(record);
      o.onMeasure?.(record);
      return record;
    } finally {
      op.dispose();
    }
  }

  /**
   * A `model.fit` callback that counts batches as steps and measures every `every` steps
   * (at the end of batch t, after update t + 1: recorded as step t + 1; step 0 is measured
   * at the start of training).
   */
  callback(): {
    onTrainBegin: () => Promise<void>;
    onBatchEnd: (batch: number, logs?: Record<string, unknown>) => Promise<void>;
  } {
    return {
      onTrainBegin: async () => {
        if (this.fitStep === 0 && !this.options.adam) await this.measure(0);
      },
      onBatchEnd: async () => {
        this.fitStep++;
        if (this.fitStep % this.every === 0) await this.measure(this.fitStep);
      },
    };
  }

  /** The history as plain JSON. */
  toJSON(): { every: number; history: EdgeOfStabilityRecord[] } {
    return { every: this.every, history: this.history.map((r) => ({ ...r })) };
  }
}

/**
 * P^-1/2 H P^-1/2 with P = (1 - beta_1^t) diag(sqrt(v_t / (1 - beta_2^t)) + epsilon), Adam's
 * preconditioner after t = step updates (Cohen et al. 2022).
 */
async function preconditioned(
  op: HessianOperator,
  adam: AdamPreconditioner,
  step: number,
): Promise<LinearOperator> {
  if (!(Number.isInteger(step) && step >= 1)) {
    throw new SamConfigError(
      `EdgeOfStabilityTracker in Adam mode measured at step ${step}: Adam's preconditioner needs t >= 1 updates (v_0 = 0). Measure after the first update.`,
    );
  }
  const beta1 = adam.beta1 ?? 0.9;
  const beta2 = adam.beta2 ?? 0.999;
  const epsilon = adam.epsilon ?? 1e-8;
  const v = await adam.secondMoment();
  if (v.length !== op.params.length || v.some((t, i) => t.size !== op.params[i]!.size)) {
    throw new SamConfigError(
      `EdgeOfStabilityTracker adam.secondMoment returned ${v.length} tensor(s) of sizes [${v.map((t) => t.size).join(", ")}] ` +
        `but the tracked parameters are ${op.params.length} of sizes [${op.params.map((p) => p.size).join(", ")}]: return v in the parameters' order.`,
    );
  }
  const vt = op.fromTensors(v);
  const c1 = 1 - beta1 ** step;
  const c2 = 1 - beta2 ** step;
  const d = new Float64Array(vt.length);
  for (let i = 0; i < d.length; i++) {
    const p = c1 * (Math.sqrt(Math.max(vt[i]!, 0) / c2) + epsilon);
    if (!(p > 0)) {
      throw new SamConfigError(
        `EdgeOfStabilityTracker in Adam mode: entry ${i} of P is ${p} (v = ${vt[i]}, epsilon = ${epsilon}): P must be positive; pass adam.epsilon > 0.`,
      );
    }
    d[i] = 1 / Math.sqrt(p);
  }
  return {
    dim: op.dim,
    apply(x: Float64Array) {
      const y = op.apply(x.map((xi, i) => xi * d[i]!));
      return y.map((yi, i) => yi * d[i]!);
    },
  };
}

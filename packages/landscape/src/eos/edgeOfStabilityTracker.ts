import { SamConfigError, type Selector } from "@sam/core";
import type * as tf from "@tensorflow/tfjs-core";
import { hessianOperator } from "../hessian/hessianOperator";
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

/** One measurement (plain JSON). */
export interface EdgeOfStabilityRecord {
  /** Training step (optimizer updates done before the measurement). */
  step: number;
  /** Top Hessian eigenvalue lambda_max (largest magnitude, by power iteration). */
  lambdaMax: number;
  /** The stability threshold 2 / eta (momentum-adjusted) at this step. */
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
    this.options = options;
  }

  /** The threshold at `step`. */
  threshold(step: number): number {
    const lr = typeof this.options.lr === "function" ? this.options.lr(step) : this.options.lr;
    return edgeOfStabilityThreshold(lr, {
      ...(this.options.momentum !== undefined ? { momentum: this.options.momentum } : {}),
      ...(this.options.nesterov !== undefined ? { nesterov: this.options.nesterov } : {}),
    });
  }

  /** Measures when `step` is a multiple of `every`; returns the record, or null when it did not measure. */
  async step(step: number): Promise<EdgeOfStabilityRecord | null> {
    return step % this.every === 0 ? this.measure(step) : null;
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
      const res = await powerIteration(op, {
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
        if (this.fitStep === 0) await this.measure(0);
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

import { SamConfigError } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import type { AsyncEvaluator, Evaluation, Evaluator } from "./evaluator";
import { type ApplyModel, forward, type LossSpec, resolveLoss } from "./modelLoss";

/** Options of {@link modelEvaluator}. */
export interface ModelEvaluatorOptions {
  /** The model (evaluated with `training: false`). */
  readonly model: ApplyModel;
  /** Inputs, batch on axis 0 (a fixed subset, no augmentation). */
  readonly x: tf.Tensor;
  /** Targets (one-hot for the cross-entropies), batch on axis 0. */
  readonly y: tf.Tensor;
  /** The loss. Default `'softmaxCrossEntropy'` (logits). */
  readonly loss?: LossSpec;
  /** Evaluate in chunks of this many examples (memory); results are example-weighted means. Default: all at once. */
  readonly batchSize?: number;
  /** Measure accuracy (argmax of outputs against argmax of targets). Default: when targets have > 1 column. */
  readonly accuracy?: boolean;
  /**
   * Read the results with `await data()` instead of `dataSync()`: the evaluator then returns a
   * promise (an {@link AsyncEvaluator}, which `interpolate`, `slice1d` and `slice2d` accept). For
   * the webgpu backend, which has no synchronous reads. Default false.
   */
  readonly asyncRead?: boolean;
}

/**
 * An {@link Evaluator} for a layers model on fixed data: loss and accuracy at the current
 * weights, in inference mode. Use one per split (`{ train: modelEvaluator(...), test: ... }`).
 *
 * @example
 * ```ts
 * import { modelEvaluator } from "@sam/landscape";
 *
 * // xs, ys: a held-out test split
 * const evaluate = modelEvaluator({ model, x: xs, y: ys, batchSize: 256 });
 * evaluate(); // { loss: 0.61, accuracy: 0.83 }
 * const onWebGpu = modelEvaluator({ model, x: xs, y: ys, asyncRead: true });
 * await onWebGpu(); // the same, read asynchronously
 * ```
 */
export function modelEvaluator(options: ModelEvaluatorOptions & { readonly asyncRead: true }): AsyncEvaluator;
export function modelEvaluator(options: ModelEvaluatorOptions & { readonly asyncRead?: false }): Evaluator;
export function modelEvaluator(options: ModelEvaluatorOptions): Evaluator | AsyncEvaluator;
export function modelEvaluator(options: ModelEvaluatorOptions): Evaluator | AsyncEvaluator {
  const { model, x, y } = options;
  if (!model || typeof model.apply !== "function") {
    throw new SamConfigError(`modelEvaluator model is ${typeof model}: pass a tf.LayersModel.`);
  }
  const n = x?.shape?.[0];
  if (!n || y?.shape?.[0] !== n) {
    throw new SamConfigError(
      `modelEvaluator x has ${n} examples and y ${y?.shape?.[0]}: pass non-empty inputs and targets of the same batch size.`,
    );
  }
  const batch = options.batchSize ?? n;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new SamConfigError(
      `modelEvaluator batchSize is ${batch}: it must be a positive integer such as 256.`,
    );
  }
  const lossFn = resolveLoss(options.loss ?? "softmaxCrossEntropy");
  const withAccuracy = options.accuracy ?? (y.rank >= 2 && y.shape[y.rank - 1]! > 1);
  /** `[loss, hits]` of the examples `[start, start + size)`, as one tensor. */
  const evaluateBatch = (start: number, size: number) =>
    tf.tidy(() => {
      const xb = size === n ? x : tf.slice(x, start, size);
      const yb = size === n ? y : tf.slice(y, start, size);
      const f = forward(model, xb);
      const l = lossFn(yb, f);
      const hits = withAccuracy
        ? tf.sum(tf.cast(tf.equal(tf.argMax(f, -1), tf.argMax(yb, -1)), "float32"))
        : tf.scalar(0);
      return tf.stack([tf.reshape(l, []), hits]);
    });
  const total = (parts: { l: number; h: number; size: number }[]): Evaluation => {
    const lossSum = parts.reduce((acc, p) => acc + p.l * p.size, 0);
    const correct = parts.reduce((acc, p) => acc + p.h, 0);
    return withAccuracy ? { loss: lossSum / n, accuracy: correct / n } : { loss: lossSum / n };
  };
  if (options.asyncRead) {
    const evaluate = async (): Promise<Evaluation> => {
      const parts: { l: number; h: number; size: number }[] = [];
      for (let start = 0; start < n; start += batch) {
        const size = Math.min(batch, n - start);
        const out = evaluateBatch(start, size);
        const [l, h] = await out.data();
        out.dispose();
        parts.push({ l: l!, h: h!, size });
      }
      return total(parts);
    };
    return Object.assign(evaluate, { asyncRead: true as const });
  }
  return () => {
    const parts: { l: number; h: number; size: number }[] = [];
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const out = evaluateBatch(start, size);
      const [l, h] = out.dataSync();
      out.dispose();
      parts.push({ l: l!, h: h!, size });
    }
    return total(parts);
  };
}

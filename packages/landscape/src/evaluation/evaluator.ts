import { SamConfigError } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/** One evaluation of a model at its current weights: plain numbers. */
export interface Evaluation {
  /** The loss. May be NaN or infinite (the landscape tools record it, they do not throw). */
  readonly loss: number;
  /** The accuracy in [0, 1], when the evaluator measures it. */
  readonly accuracy?: number;
}

/**
 * Evaluates the loss (and possibly accuracy) at the current weights, synchronously. Build
 * one with {@link modelEvaluator} (a layers model and data) or {@link lossEvaluator} (any
 * loss closure).
 *
 * @example
 * ```ts
 * import type { Evaluator } from "@sam/landscape";
 *
 * const evaluate: Evaluator = () => ({ loss: 0.5, accuracy: 0.9 });
 * ```
 */
export type Evaluator = () => Evaluation;

/**
 * An evaluator that reads its results asynchronously (`await data()`), for backends without
 * synchronous reads (webgpu): `modelEvaluator({ ..., asyncRead: true })` makes one. The
 * `asyncRead` mark is how the landscape tools tell it from a loss closure without calling it.
 *
 * @example
 * ```ts
 * const evaluate: AsyncEvaluator = modelEvaluator({ model, x, y, asyncRead: true });
 * await evaluate(); // { loss: 0.61, accuracy: 0.83 }
 * ```
 */
export type AsyncEvaluator = (() => Promise<Evaluation>) & { readonly asyncRead: true };

/**
 * What the landscape tools accept where they evaluate: an {@link Evaluator}, an
 * {@link AsyncEvaluator}, or a loss closure.
 */
export type EvaluatorLike = Evaluator | AsyncEvaluator | (() => tf.Scalar);

/** What {@link toEvaluator} returns: an evaluation now, or a promise of one (awaited by the tools). */
export type EvaluateStep = () => Evaluation | Promise<Evaluation>;

/**
 * Wraps a loss closure `() => tf.Scalar` as an {@link Evaluator}: the closure runs in a
 * tidy and its value is read outside it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lossEvaluator } from "@sam/landscape";
 *
 * const evaluate = lossEvaluator(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor) as tf.Scalar);
 * evaluate(); // { loss: 0.42 }
 * ```
 */
export function lossEvaluator(lossFn: () => tf.Scalar): Evaluator {
  if (typeof lossFn !== "function") {
    throw new SamConfigError(`lossEvaluator got ${typeof lossFn}: pass a closure () => tf.Scalar.`);
  }
  return () => ({ loss: readScalar(tf.tidy(() => lossFn())) });
}

/** Turns an {@link EvaluatorLike} into an {@link Evaluator} (by looking at what it returns). */
export function toEvaluator(fn: EvaluatorLike, name = "evaluate"): EvaluateStep {
  if (typeof fn !== "function") {
    throw new SamConfigError(
      `${name} is ${typeof fn}: pass an Evaluator (e.g. modelEvaluator({ model, x, y })) or a loss closure () => tf.Scalar.`,
    );
  }
  if ((fn as Partial<AsyncEvaluator>).asyncRead === true) return fn as AsyncEvaluator;
  return () => {
    let plain: Evaluation | undefined;
    const t = tf.tidy(() => {
      const out = (fn as () => unknown)();
      if (out && typeof (out as tf.Tensor).dataSync === "function") return out as tf.Tensor;
      plain = out as Evaluation;
      return undefined as unknown as tf.Tensor;
    });
    if (t) return { loss: readScalar(t) };
    if (!plain || typeof plain.loss !== "number") {
      throw new SamConfigError(
        `${name} returned ${JSON.stringify(plain)}: an Evaluator returns { loss: number, accuracy?: number } and a loss closure a scalar tensor.`,
      );
    }
    return plain;
  };
}

function readScalar(t: tf.Tensor): number {
  if (t.size !== 1) {
    const shape = `[${t.shape.join(", ")}]`;
    t.dispose();
    throw new SamConfigError(
      `The loss closure returned a tensor of shape ${shape}, not a scalar. Reduce it with tf.mean.`,
    );
  }
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

import { SamConfigError } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/** The part of a `tf.LayersModel` the landscape tools use: `apply` with a `training` flag. */
export interface ApplyModel {
  apply(inputs: tf.Tensor, kwargs?: { training?: boolean }): unknown;
}

/**
 * A loss between targets and model outputs: a name, or `(yTrue, yPred) => tf.Scalar`.
 * - `softmaxCrossEntropy`: outputs are logits, targets one-hot (mean over examples);
 * - `categoricalCrossentropy`: outputs are probabilities, targets one-hot;
 * - `meanSquaredError`: mean over examples and outputs of (f - y)^2;
 * - `halfSquaredError`: (1/2) ||f - y||^2 summed over outputs, averaged over examples
 *   (the edge-of-stability convention of Cohen et al. 2021).
 */
export type LossSpec =
  | "softmaxCrossEntropy"
  | "categoricalCrossentropy"
  | "meanSquaredError"
  | "halfSquaredError"
  | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar);

/** The loss function a {@link LossSpec} names. */
export function resolveLoss(loss: LossSpec): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  if (typeof loss === "function") return loss;
  switch (loss) {
    case "softmaxCrossEntropy":
      return (y, f) => tf.losses.softmaxCrossEntropy(y, f) as tf.Scalar;
    case "categoricalCrossentropy":
      return (y, f) =>
        tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(f, 1e-7, 1))), -1))) as tf.Scalar;
    case "meanSquaredError":
      return (y, f) => tf.mean(tf.square(tf.sub(f, y))) as tf.Scalar;
    case "halfSquaredError":
      return (y, f) => tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(f, y)), -1))) as tf.Scalar;
    default:
      throw new SamConfigError(
        `loss is ${JSON.stringify(loss)}: use "softmaxCrossEntropy", "categoricalCrossentropy", "meanSquaredError", "halfSquaredError" or a function (yTrue, yPred) => tf.Scalar.`,
      );
  }
}

/** Runs the model in inference mode and returns its single output tensor. */
export function forward(model: ApplyModel, x: tf.Tensor, training = false): tf.Tensor {
  const out = model.apply(x, { training });
  const t = Array.isArray(out) ? out[0] : out;
  if (!t || typeof (t as tf.Tensor).dataSync !== "function") {
    throw new SamConfigError(
      "model.apply(x) did not return a tensor: pass a built tf.LayersModel (or an object whose apply(x, { training }) returns a tensor).",
    );
  }
  return t as tf.Tensor;
}

/**
 * A differentiable loss closure `() => tf.Scalar` for a model on fixed data, evaluated in
 * inference mode (`training: false`), so BatchNorm uses, and never updates, its moving
 * statistics: the input of {@link hessianOperator} and the sharpness measures.
 *
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { hessianOperator, modelLoss, powerIteration } from "@sam/landscape";
 *
 * const op = hessianOperator(collectParams(model), modelLoss(model, x, y, "softmaxCrossEntropy"));
 * const { values } = await powerIteration(op, { maxIter: 20 });
 * op.dispose();
 * ```
 */
export function modelLoss(
  model: ApplyModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: LossSpec = "softmaxCrossEntropy",
): () => tf.Scalar {
  if (!model || typeof model.apply !== "function") {
    throw new SamConfigError(`modelLoss model is ${typeof model}: pass a tf.LayersModel.`);
  }
  if (x?.shape?.[0] !== y?.shape?.[0]) {
    throw new SamConfigError(
      `modelLoss x has ${x?.shape?.[0]} examples but y has ${y?.shape?.[0]}: pass inputs and targets of the same batch size.`,
    );
  }
  const fn = resolveLoss(loss);
  // A tidy inside the closure frees the intermediates when it is called outside one; under
  // tf.variableGrads the tape still records every op, so gradients are unaffected.
  return () => tf.tidy(() => fn(y, forward(model, x)));
}

import * as tf from "@tensorflow/tfjs-core";
import type { GradientOracle, GradientResult } from "./gradientOracle";

/**
 * The gradient of the loss at the current weights, for the active parameters only:
 * `tf.variableGrads(lossFn, activeVariables)`.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, plainGradient, sgd } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({ params, defaults: { lr: 0.1 }, rule: sgd(), oracle: plainGradient() });
 * ```
 */
export function plainGradient(): GradientOracle {
  return {
    kind: "plain",
    lossEvaluations: 1,
    gradients: (request) =>
      differentiate(
        request.lossFn,
        request.active.map((p) => p.variable),
      ),
    getConfig: () => ({ kind: "plain" }),
  };
}

/**
 * `tf.variableGrads` that tolerates variables the loss does not depend on (their gradient
 * is `null`, also when the loss depends on none of them) and checks that the closure
 * returns a scalar.
 *
 * @example
 * ```ts
 * const { loss, grads } = differentiate(lossFn, params.variables()); // inside the step's tf.tidy
 * ```
 */
export function differentiate(lossFn: () => tf.Scalar, variables: readonly tf.Variable[]): GradientResult {
  if (variables.length === 0) {
    const loss = lossFn();
    return { loss, grads: [] };
  }
  const trainable = variables.filter((v) => v.trainable);
  if (trainable.length === 0) return { loss: lossFn(), grads: variables.map(() => null) };
  try {
    const { value, grads } = tf.variableGrads(lossFn, trainable);
    return { loss: value, grads: variables.map((v) => grads[v.name] ?? null) };
  } catch (error) {
    // tfjs refuses a loss that depends on none of the variables; for us that is a step in
    // which the requested parameters simply get no gradient.
    if (!/Cannot find a connection between any variable and the result of the loss/.test(String(error)))
      throw error;
    return { loss: lossFn(), grads: variables.map(() => null) };
  }
}

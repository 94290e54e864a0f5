import { NonFiniteLossError } from "../internal/errors";

/**
 * Thrown by a `GroupedOptimizer` step whose loss or update is not finite. Before it is
 * thrown, the weights, the optimizer state (slots, counters) and the moving statistics
 * (BatchNorm) are restored to their values before the step, and the step is not counted.
 * A subclass of {@link NonFiniteLossError}, so existing handlers still catch it.
 *
 * @example
 * ```ts
 * import { NonFiniteStepError } from "@sam/core";
 *
 * try {
 *   optimizer.minimize(lossFn);
 * } catch (e) {
 *   if (e instanceof NonFiniteStepError) optimizer.group("all").hyper.lr = 0.001; // nothing was lost; retry
 * }
 * ```
 */
export class NonFiniteStepError extends NonFiniteLossError {
  override readonly name: string = "NonFiniteStepError";
}

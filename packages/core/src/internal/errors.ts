import { describeValue } from "../format/describeValue";

/**
 * The error every `@sam/*` package throws for bad input. Its message always names the
 * parameter, the value that was given and how to fix it, so that a user can act on it
 * without reading the source.
 *
 * @example
 * ```ts
 * import { SamConfigError, groupParams } from "@sam/core";
 *
 * try {
 *   groupParams(params, [{ label: "norm", select: { tag: "norm" } }]);
 * } catch (e) {
 *   if (e instanceof SamConfigError) console.error(e.message); // "... match no group: ... Add a last group ..."
 * }
 * ```
 */
export class SamConfigError extends Error {
  override readonly name = "SamConfigError";
}

/**
 * Thrown when the loss (or a gradient norm) is NaN or infinite during a step. The weights
 * are left as they were before the step.
 *
 * @example
 * ```ts
 * import { NonFiniteLossError } from "@sam/core";
 *
 * try {
 *   optimizer.minimize(lossFn);
 * } catch (e) {
 *   if (e instanceof NonFiniteLossError) optimizer.group("all").hyper.lr = 0.01; // and retry
 * }
 * ```
 */
export class NonFiniteLossError extends Error {
  override readonly name: string = "NonFiniteLossError";
}

/** Short name used throughout the package for {@link describeValue}. */
export const show = describeValue;

import { describeValue } from "../format/describeValue";
import { SamConfigError } from "../internal/errors";

/**
 * Throws the {@link SamConfigError} every `@sam/*` package throws for bad input, shaped as
 * "`<what>` is <value>: <problem>. <fix>", so that the message names the parameter, the value
 * that was given (formatted by {@link describeValue}) and how to fix it. The one error helper
 * of the project: rules, builders and data sets call it rather than formatting their own.
 *
 * @param what The parameter, with where it was given, e.g. `sgd: hyperparameter lr of group "head"`.
 * @param value The value that was given.
 * @param problem What is wrong with it, e.g. `it must be a finite number > 0`.
 * @param fix What to do instead, as a sentence.
 *
 * @example
 * ```ts
 * import { rejectValue } from "@sam/core";
 *
 * function checkDecay(decay: number): void {
 *   if (!(decay > 0 && decay <= 1)) {
 *     rejectValue("layerwiseLrDecay: option decay", decay, "it must be in (0, 1]", "Use e.g. { decay: 0.75 }.");
 *   }
 * }
 * checkDecay(0.75);
 * ```
 */
export function rejectValue(what: string, value: unknown, problem: string, fix: string): never {
  throw new SamConfigError(`${what} is ${describeValue(value)}: ${problem}. ${fix}`);
}

import { describeValue, SamConfigError } from "@sam/core";

/** Formats a value for an error message (`@sam/core`'s `describeValue`). */
export const show = describeValue;

/** Throws a `SamConfigError` shaped as "`<what>` is <value>: <problem>. <fix>". */
export function fail(what: string, value: unknown, problem: string, fix: string): never {
  throw new SamConfigError(`${what} is ${show(value)}: ${problem}. ${fix}`);
}

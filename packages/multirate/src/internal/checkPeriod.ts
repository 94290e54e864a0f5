import { describeValue, SamConfigError } from "@sam/core";

/**
 * Checks a synchronisation period: an integer >= 1. `what` names the parameter in the
 * message (e.g. `multirate k`).
 */
export function checkPeriod(what: string, k: unknown): number {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) {
    throw new SamConfigError(
      `${what} is ${describeValue(k)}: it must be an integer >= 1 (the number of fast steps per slow step). ` +
        "Use k = 5 for transfer learning (the paper's setting); k = 1 is plain SGD with momentum.",
    );
  }
  return k;
}

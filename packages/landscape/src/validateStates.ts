import { type ParamSet, SamConfigError } from "@sam/core";
import { type ParamState, stateProblems } from "./paramState";

/**
 * Checks that two parameter states are endpoints of one path through one model: both
 * hold every parameter of `params` (same paths, same shapes, nothing extra) and their
 * values are finite. Every mismatch of both states is listed in one error, so a user
 * fixes them all at once.
 *
 * @throws SamConfigError naming each missing, extra or mis-shaped path, and the fix.
 * @example
 * ```ts
 * import { captureState, validateStates } from "@sam/landscape";
 *
 * const init = captureState(params);
 * await model.fit(x, y, { epochs: 10 });
 * validateStates(params, init, captureState(params)); // throws if the two do not fit the model
 * ```
 */
export function validateStates(
  params: ParamSet,
  from: ParamState,
  to: ParamState,
  names: readonly [string, string] = ["from", "to"],
): void {
  const problems = [...stateProblems(params, from, names[0]), ...stateProblems(params, to, names[1])];
  for (const [state, name] of [
    [from, names[0]],
    [to, names[1]],
  ] as const) {
    for (const [path, v] of Object.entries(state?.params ?? {})) {
      if (v.values.some((x) => !Number.isFinite(x))) {
        problems.push(`${name} has non-finite values in ${JSON.stringify(path)}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new SamConfigError(
      `The endpoints do not fit the model (${problems.length} problem${problems.length > 1 ? "s" : ""}): ` +
        `${problems.join("; ")}. Capture both endpoints with captureState(params) from models built the same way.`,
    );
  }
}

import { type Param, type ParamSet, SamConfigError } from "@sam/core";
import type { TensorValue } from "../paramState";

/**
 * A direction in parameter space: one array per parameter path, shaped like the parameter.
 * Plain data (JSON-serialisable through its `values`), like a {@link ParamState}'s `params`.
 *
 * @example
 * ```ts
 * import type { Direction } from "@sam/landscape";
 *
 * const d: Direction = { "fc/kernel": { shape: [2, 1], values: Float32Array.from([1, -1]) } };
 * ```
 */
export type Direction = Readonly<Record<string, TensorValue>>;

/** Checks a direction against the parameters (same paths, same shapes), listing every mismatch. */
export function checkDirection(
  params: ParamSet | readonly Param[],
  direction: Direction,
  name: string,
): void {
  const list = Array.isArray(params) ? (params as readonly Param[]) : (params as ParamSet).params;
  const problems: string[] = [];
  if (!direction || typeof direction !== "object") {
    throw new SamConfigError(
      `${name} is ${typeof direction}: pass a Direction (record of { shape, values } by path).`,
    );
  }
  for (const p of list) {
    const d = direction[p.path];
    if (!d) problems.push(`it lacks ${JSON.stringify(p.path)}`);
    else if (d.shape.length !== p.shape.length || d.shape.some((x, i) => x !== p.shape[i])) {
      problems.push(
        `${JSON.stringify(p.path)} has shape [${d.shape.join(", ")}], the parameter [${p.shape.join(", ")}]`,
      );
    }
  }
  const known = new Set(list.map((p) => p.path));
  for (const path of Object.keys(direction))
    if (!known.has(path)) problems.push(`${JSON.stringify(path)} is no parameter`);
  if (problems.length > 0) {
    throw new SamConfigError(
      `${name} does not fit the parameters: ${problems.join("; ")}. Build it with randomDirection(params) or from states of the same model.`,
    );
  }
}

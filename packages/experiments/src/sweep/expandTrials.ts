import { trialId } from "./trialId";

/**
 * One trial of a sweep: the values of each axis field path for this trial, and a directory name.
 */
export interface Trial {
  /** Field path (e.g. `"method.rho"`) to the value this trial sets. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Directory name, e.g. `"seed=1,method.name=sam"` (see {@link trialId}). */
  readonly id: string;
}

/** Sweep axes: `grid` is a Cartesian product; `zip` lists of equal length advance together. */
export interface SweepAxes {
  readonly grid?: Readonly<Record<string, readonly unknown[]>>;
  readonly zip?: Readonly<Record<string, readonly unknown[]>>;
}

/**
 * Expands the axes into trials: every combination of the `grid` lists (first key slowest)
 * times the `zip` tuple index (the `zip` lists must have equal lengths).
 *
 * @example
 * ```ts
 * import { expandTrials } from "@sam/experiments";
 * expandTrials({ grid: { seed: [1, 2] }, zip: { "method.name": ["sgd", "sam"], "method.rho": [null, 0.05] } }).length; // 4
 * ```
 */
export function expandTrials(axes: SweepAxes): Trial[] {
  const zip = Object.entries(axes.zip ?? {});
  const n = zip.length === 0 ? 1 : zip[0]![1].length;
  for (const [k, v] of zip) {
    if (v.length !== n) {
      throw new Error(
        `sweep axes.zip.${k} has ${v.length} values but axes.zip.${zip[0]![0]} has ${n}: zip lists must have equal lengths.`,
      );
    }
  }
  let combos: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(axes.grid ?? {})) {
    if (values.length === 0) throw new Error(`sweep axes.grid.${k} is empty: give at least one value.`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  const trials: Trial[] = [];
  for (const c of combos) {
    for (let i = 0; i < n; i++) {
      const values: Record<string, unknown> = { ...c };
      for (const [k, v] of zip) values[k] = v[i];
      trials.push({ values, id: trialId(values) });
    }
  }
  return trials;
}

/**
 * Returns a deep copy of `base` with `path` (dot-separated) set to `value`; `null` deletes the field.
 *
 * @example
 * ```ts
 * import { setPath } from "@sam/experiments";
 * setPath({ method: { name: "sgd" } }, "method.rho", 0.05); // { method: { name: "sgd", rho: 0.05 } }
 * ```
 */
export function setPath<T>(base: T, path: string, value: unknown): T {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split(".");
  let node = copy;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (typeof next !== "object" || next === null) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === null) delete node[last];
  else node[last] = value;
  return copy as T;
}

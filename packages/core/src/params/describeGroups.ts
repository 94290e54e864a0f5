import { textTable } from "../format/textTable";
import { show } from "../internal/errors";
import type { ParamGroup } from "./groupParams";
import type { Param } from "./param";

/** One row of {@link describeGroups}. */
export interface GroupRow {
  readonly label: string;
  /** Number of tensors in the group. */
  readonly tensors: number;
  /** Number of scalars in the group. */
  readonly scalars: number;
  /** Tags present in the group, with how many tensors carry each. */
  readonly tags: Readonly<Record<string, number>>;
  /** Up to `samplePaths` paths of the group. */
  readonly paths: readonly string[];
  /** The group's hyperparameters as written (schedules shown as data). */
  readonly hyper: Readonly<Record<string, unknown>>;
}

/** The rows of {@link describeGroups}; `toString()` renders them as a table. */
export interface GroupTable {
  readonly rows: readonly GroupRow[];
  toString(): string;
}

/**
 * Says what went where: one row per group (tensor and scalar counts, tags, sample paths,
 * hyperparameters). `String(table)` is a fixed-width table for a terminal or a README.
 *
 * @example
 * ```ts
 * import { collectParams, describeGroups, groupParams, hasTag, everything } from "@sam/core";
 *
 * const groups = groupParams(collectParams(model), [
 *   { label: "norm", select: hasTag("norm"), hyper: { weightDecay: 0 } },
 *   { label: "rest", select: everything },
 * ], { defaults: { lr: 0.1 } });
 * console.log(String(describeGroups(groups)));
 * ```
 */
export function describeGroups(
  groups: readonly ParamGroup[],
  options: { samplePaths?: number } = {},
): GroupTable {
  const sample = options.samplePaths ?? 3;
  const rows: GroupRow[] = groups.map((g) => ({
    label: g.label,
    tensors: g.params.length,
    scalars: g.params.reduce((n, p) => n + p.size, 0),
    tags: countTags(g.params),
    paths: g.params.slice(0, sample).map((p) => p.path),
    hyper: Object.fromEntries(
      Object.entries(g.hyper).map(([k, v]) => [k, typeof v === "function" ? "<function>" : v]),
    ),
  }));
  return { rows, toString: () => renderTable(rows, groups) };
}

function countTags(params: readonly Param[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of params) for (const t of p.tags) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}

function renderTable(rows: readonly GroupRow[], groups: readonly ParamGroup[]): string {
  const header = ["group", "tensors", "scalars", "tags", "hyper", "paths"];
  const body = rows.map((r, i) => [
    r.label,
    String(r.tensors),
    r.scalars.toLocaleString("en-US"),
    Object.entries(r.tags)
      .map(([t, n]) => `${t}:${n}`)
      .join(" "),
    Object.entries(r.hyper)
      .map(([k, v]) => `${k}=${typeof v === "number" ? v : show(v)}`)
      .join(" "),
    r.paths.join(", ") + ((groups[i]?.params.length ?? 0) > r.paths.length ? ", ..." : ""),
  ]);
  return textTable(header, body);
}

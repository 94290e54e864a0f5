/**
 * A fixed-width text table: the header, a rule of dashes, then the rows, columns separated
 * by two spaces and padded to their widest cell (trailing spaces trimmed). What
 * `describeGroups` and multirate's `describeSchedule` print.
 *
 * @example
 * ```ts
 * import { textTable } from "@sam/core";
 *
 * console.log(textTable(["group", "tensors"], [["norm", "42"], ["rest", "23"]]));
 * // group  tensors
 * // -----  -------
 * // norm   42
 * // rest   23
 * ```
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, c) => (cells[c] ?? "").padEnd(w))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

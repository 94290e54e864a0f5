/**
 * Renders rows of plain values as a fixed-width text table (numbers right-aligned).
 *
 * @example
 * ```ts
 * console.log(formatTable([{ method: "sgd", accuracy: "91.2%" }, { method: "sam", accuracy: "92.0%" }]));
 * ```
 */
export function formatTable(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return "";
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? "")));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = columns.map((c) => rows.every((r) => typeof r[c] === "number" || /^[-+\d.,x%s ]+$/.test(String(r[c]))));
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** Formats a value for an error message: short, and unambiguous about its type. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

/** Quotes and joins labels for a message: `"a", "b"`. */
export const quoteAll = (labels: readonly string[]) => labels.map((l) => JSON.stringify(l)).join(", ");

/**
 * Formats a value for an error message: short, and unambiguous about its type (strings
 * quoted, arrays bracketed, objects as JSON cut at 120 characters). Every `@sam/*` error
 * message formats the offending value with it.
 *
 * @example
 * ```ts
 * import { describeValue } from "@sam/core";
 *
 * describeValue("norm");      // '"norm"'
 * describeValue([3, 1]);      // "[3, 1]"
 * describeValue({ tag: "x" }); // '{"tag":"x"}'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(", ")}]`;
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

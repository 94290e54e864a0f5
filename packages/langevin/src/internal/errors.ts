import { SamConfigError } from "@sam/core";

/** Formats a value for an error message: short, and unambiguous about its type. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

/** Throws a `SamConfigError` shaped as "`<what>` is <value>: <problem>. <fix>". */
export function fail(what: string, value: unknown, problem: string, fix: string): never {
  throw new SamConfigError(`${what} is ${show(value)}: ${problem}. ${fix}`);
}

import { createHash } from "node:crypto";

/** Characters a trial id keeps as they are; every other character becomes `_`. */
const SAFE = /[^A-Za-z0-9._=,+-]/g;
/** Longest id before it is cut and given a hash (directory names stay well under 255 bytes). */
const MAX_LENGTH = 120;

/**
 * JSON with object keys sorted (and undefined fields left out), so that equal values give equal
 * text: the pairing keys of a report, the hash of a trial id.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "@sam/experiments";
 *
 * canonicalJson({ seed: 1, method: { rho: 0.05, name: "sam" } }); // '{"method":{"name":"sam","rho":0.05},"seed":1}'
 * ```
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * A trial's directory name, from its axis values: `field=value` pairs joined by `,`, in the
 * axes' order (strings without their quotes), e.g. `seed=1,method.name=sam,method.rho=0.05`.
 * It is a function of the values alone, so it is stable across runs and machines. A name that
 * would need other characters than `A-Z a-z 0-9 . _ = , + -` (objects, spaces, slashes), or
 * that is longer than 120 characters, has them replaced by `_`, is cut, and ends with `~` and
 * the first 10 hex digits of the SHA-256 of the values' canonical JSON, so that two trials never
 * share a directory.
 *
 * @example
 * ```ts
 * import { trialId } from "@sam/experiments";
 *
 * trialId({ seed: 1, "method.name": "sam", "method.rho": 0.05 }); // "seed=1,method.name=sam,method.rho=0.05"
 * trialId({ "data.dir": "../x" }); // "data.dir=.._x~" + 10 hex digits
 * ```
 */
export function trialId(values: Readonly<Record<string, unknown>>): string {
  const raw = Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : canonicalJson(v)}`)
    .join(",");
  const safe = raw.replace(SAFE, "_");
  const lossy =
    safe !== raw ||
    raw.length > MAX_LENGTH ||
    raw.length === 0 ||
    raw.startsWith(".") ||
    Object.keys(values).some((k) => /[,=]/.test(k)) ||
    // a string that reads as a number, a flag or null ("1" against 1), or holds "," or "="
    Object.values(values).some(
      (v) =>
        typeof v === "string" && (!/^[A-Za-z_][A-Za-z0-9._+-]*$/.test(v) || /^(true|false|null)$/.test(v)),
    );
  if (!lossy) return raw;
  const hash = createHash("sha256").update(canonicalJson(values)).digest("hex").slice(0, 10);
  const head = safe.replace(/^\.+/, "_").slice(0, MAX_LENGTH);
  return `${head}~${hash}`;
}

// Tolerances of the issue and of reference/README.md: a float32 port agrees with the float64
// trajectories to atol 1e-5, rtol 1e-4 (the harness run in float32 is within 3.2e-7).
/** Absolute tolerance of a replayed value against the float64 reference. */
export const ATOL = 1e-5;
/** Relative tolerance of a replayed value against the float64 reference. */
export const RTOL = 1e-4;

function flatten(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value as number];
}

/**
 * Compares two nested arrays of numbers elementwise, |a - e| <= ATOL + RTOL |e|; returns
 * `[]` when they agree, else one line naming `label` and the largest difference.
 *
 * @example
 * ```ts
 * mismatches("step 0 fc1.weight", [[1, 2]], [[1, 2.5]]); // ["step 0 fc1.weight: max |diff| 5.00e-1"]
 * ```
 */
export function mismatches(label: string, actual: unknown, expected: unknown): string[] {
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.length !== e.length) return [`${label}: ${a.length} values, expected ${e.length}`];
  let worst = 0;
  let bad = false;
  e.forEach((ev, i) => {
    const d = Math.abs(a[i]! - ev);
    if (!(d <= ATOL + RTOL * Math.abs(ev))) bad = true;
    worst = Math.max(worst, d);
  });
  return bad ? [`${label}: max |diff| ${worst.toExponential(2)}`] : [];
}

/** The largest |actual - expected| over nested arrays (for reports). */
export function maxDiff(actual: unknown, expected: unknown): number {
  const a = flatten(actual);
  return flatten(expected).reduce((m, ev, i) => Math.max(m, Math.abs(a[i]! - ev)), 0);
}

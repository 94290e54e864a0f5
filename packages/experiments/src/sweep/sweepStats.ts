/** Mean, standard error and count of a sample. */
export interface MeanSe {
  /** Sample mean: (1/n) sum_i x_i. */
  mean: number;
  /** Standard error of the mean: s / sqrt(n), s the sample standard deviation (n - 1 in its denominator); null for n < 2. */
  se: number | null;
  /** Sample size n. */
  n: number;
}

/**
 * The mean and its standard error: for x_1..x_n, mean = (1/n) sum x_i,
 * s^2 = sum (x_i - mean)^2 / (n - 1), se = s / sqrt(n) (null when n < 2: no spread to measure).
 *
 * @throws Error on an empty sample.
 *
 * @example
 * ```ts
 * import { meanSe } from "@sam/experiments";
 *
 * meanSe([1, 2, 3, 4]); // { mean: 2.5, se: 0.6455, n: 4 }: s^2 = 5/3, se = sqrt(5/3)/2
 * ```
 */
export function meanSe(xs: readonly number[]): MeanSe {
  const n = xs.length;
  if (n === 0) throw new Error("meanSe: the sample is empty.");
  // two-pass: the mean first, then the squared deviations (no cancellation of large sums)
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n < 2) return { mean, se: null, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, se: Math.sqrt(ss / (n - 1)) / Math.sqrt(n), n };
}

/** The paired difference B - A of two cells over the pairing keys (seeds) both have. */
export interface PairedDifference extends MeanSe {
  /** The keys both cells have, in A's order. */
  keys: string[];
  /** Keys only A has, only B has (left out of the difference). */
  onlyA: string[];
  onlyB: string[];
}

/**
 * The paired difference of two cells: d_k = b_k - a_k for every key k (a seed) both have, then
 * {@link meanSe} of the d_k. Pairing removes the spread the seeds share (data order, init), so
 * it is tighter than the difference of the two cells' means when the cells are correlated.
 *
 * @returns null when no key is shared.
 *
 * @example
 * ```ts
 * import { pairedDifference } from "@sam/experiments";
 *
 * const a = new Map([["1", 0.80], ["2", 0.70], ["3", 0.75]]);
 * const b = new Map([["1", 0.85], ["2", 0.74], ["4", 0.90]]);
 * pairedDifference(a, b); // mean 0.045 (d = 0.05, 0.04), se 0.005, n 2, onlyA ["3"], onlyB ["4"]
 * ```
 */
export function pairedDifference(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
): PairedDifference | null {
  const keys = [...a.keys()].filter((k) => b.has(k));
  if (keys.length === 0) return null;
  return {
    ...meanSe(keys.map((k) => b.get(k)! - a.get(k)!)),
    keys,
    onlyA: [...a.keys()].filter((k) => !b.has(k)),
    onlyB: [...b.keys()].filter((k) => !a.has(k)),
  };
}

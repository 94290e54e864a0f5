import type { Method } from "./trainSpirals";

/** The final test accuracy (%) of each method that ran on one seed. */
export interface SeedResult {
  seed: number;
  test: Partial<Record<Method, number>>;
}

/** Mean, sample standard deviation and standard error of one method's accuracies over seeds. */
export interface AccuracyStatistics {
  /** Seeds the method ran on. */
  n: number;
  mean: number;
  /** Sample standard deviation, `sqrt(sum (a_s - mean)^2 / (n - 1))`; 0 for one seed. */
  sd: number;
  /** `sd / sqrt(n)`. */
  standardError: number;
}

/** One adjacent pair of the ranking, `ahead` expected above `behind`, on the seeds both ran on. */
export interface PairComparison {
  ahead: Method;
  behind: Method;
  /** Seeds both methods ran on. */
  n: number;
  /** Seeds where `ahead` scored strictly higher. */
  aheadOn: number;
  /** Mean over seeds of `test[ahead] - test[behind]` (percentage points). */
  meanDifference: number;
  /** Standard error of that paired mean difference. */
  standardError: number;
}

/** What {@link summarizeSeeds} returns. */
export interface SeedSummary {
  /** The expected order, best first. */
  ranking: Method[];
  methods: Partial<Record<Method, AccuracyStatistics>>;
  pairs: PairComparison[];
  /** Whether the means are strictly in the ranking's order. */
  holdsOnMean: boolean;
  /** Seeds on which every ranked method ran. */
  seedsWithAll: number;
  /** Of those, the seeds on which the accuracies are strictly in the ranking's order. */
  holdsOnSeeds: number;
}

const statistics = (values: number[]) => {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, standardError: sd / Math.sqrt(n) };
};

/**
 * Summarizes runs over several seeds against an expected ranking (default AdLaLa > Adam > SGD):
 * each method's mean and spread, each adjacent pair compared seed by seed (paired differences),
 * and on how many seeds the whole ranking holds. Single runs of these methods spread by 5-8
 * points over seeds, so the ranking is a statement about means, and the pairs' standard errors
 * say how firm it is.
 *
 * @example
 * ```ts
 * const summary = summarizeSeeds([
 *   { seed: 1, test: { adlala: 86, adam: 68, sgd: 64 } },
 *   { seed: 2, test: { adlala: 88, adam: 69, sgd: 71 } },
 * ]);
 * summary.holdsOnMean; // true: 87 > 68.5 > 67.5
 * summary.holdsOnSeeds; // 1
 * ```
 */
export function summarizeSeeds(
  results: readonly SeedResult[],
  ranking: readonly Method[] = ["adlala", "adam", "sgd"],
): SeedSummary {
  if (ranking.length < 2) {
    throw new Error(
      `summarizeSeeds: ranking has ${ranking.length} method(s); give at least two, best first.`,
    );
  }
  const methods: Partial<Record<Method, AccuracyStatistics>> = {};
  for (const method of ranking) {
    const values = results.flatMap((r) => (r.test[method] === undefined ? [] : [r.test[method]!]));
    if (values.length === 0) {
      throw new Error(
        `summarizeSeeds: no result for '${method}' on any of ${results.length} seed(s); ` +
          "run it, or leave it out of the ranking.",
      );
    }
    methods[method] = statistics(values);
  }
  const pairs = ranking.slice(1).map((behind, i): PairComparison => {
    const ahead = ranking[i]!;
    const both = results.filter((r) => r.test[ahead] !== undefined && r.test[behind] !== undefined);
    const differences = both.map((r) => r.test[ahead]! - r.test[behind]!);
    const d =
      differences.length > 0
        ? statistics(differences)
        : { n: 0, mean: Number.NaN, standardError: Number.NaN };
    return {
      ahead,
      behind,
      n: d.n,
      aheadOn: differences.filter((x) => x > 0).length,
      meanDifference: d.mean,
      standardError: d.standardError,
    };
  });
  const complete = results.filter((r) => ranking.every((m) => r.test[m] !== undefined));
  const ordered = (values: number[]) => values.every((v, i) => i === 0 || values[i - 1]! > v);
  return {
    ranking: [...ranking],
    methods,
    pairs,
    holdsOnMean: ordered(ranking.map((m) => methods[m]!.mean)),
    seedsWithAll: complete.length,
    holdsOnSeeds: complete.filter((r) => ordered(ranking.map((m) => r.test[m]!))).length,
  };
}

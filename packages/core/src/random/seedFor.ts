import { seedHash } from "./seedHash";

/**
 * A deterministic seed for one random draw, from (seed, step, param index, stream), in
 * [1, 2^31 - 1]: never 0, because tfjs treats seed 0 as "no seed". It is
 * `seedHash(seed, step, paramIndex, stream)` (see {@link seedHash} for the mix), so nearby
 * inputs give unrelated seeds, and a restored optimizer (same seed, same step) draws the
 * same numbers.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { seedFor } from "@sam/core";
 *
 * const noise = tf.randomNormal([3], 0, 1, "float32", seedFor(42, 0, 0));
 * ```
 */
export function seedFor(seed: number, step: number, paramIndex: number, stream = 0): number {
  return seedHash(seed, step, paramIndex, stream);
}

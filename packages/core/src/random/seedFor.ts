/**
 * A deterministic seed for one random draw, from (seed, step, param index, stream), in
 * [1, 2^31 - 1]: never 0, because tfjs treats seed 0 as "no seed". The mix is a 32-bit
 * integer hash (murmur3's finalizer over the four words), so nearby inputs give unrelated
 * seeds, and a restored optimizer (same seed, same step) draws the same numbers.
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
  let h = 0x9e3779b9 ^ (seed | 0);
  for (const word of [step, paramIndex, stream]) {
    h = Math.imul(h ^ (word | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  const positive = (h >>> 0) % 0x7fffffff;
  return positive === 0 ? 1 : positive;
}

/**
 * Hashes a seed and any number of integer words (an index, a step, a stream number) to a
 * seed in [1, 2^31 - 1]: never 0, because tfjs treats seed 0 as "no seed" and would then
 * draw from `Math.random`. Every seed of the project is derived with it: the optimizer's
 * noise seeds ({@link seedFor}), the state of {@link createRng}, a model builder's
 * initializer seeds and a data set's shuffles.
 *
 * The mix, for words w_1..w_k (32-bit integer arithmetic, `fmix` a splitmix-style finalizer
 * `h ^= h >>> 16; h *= 0x7feb352d; h ^= h >>> 15; h *= 0x846ca68b; h ^= h >>> 16`):
 *
 * ```
 * h <- seed * 0x9e3779b1
 * h <- fmix(h ^ ((w_j + 1) * 0x85ebca6b))     for j = 1..k
 * seed' = (h mod (2^31 - 2)) + 1
 * ```
 * so neighbouring words give unrelated seeds, and the same words always give the same seed.
 *
 * @param seed The base seed (any integer; 0 is allowed here).
 * @param words Integers that select one stream from the base seed.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { seedHash } from "@sam/core";
 *
 * const epochSeed = seedHash(42, 3); // the seed of epoch 3 of run 42
 * const noise = tf.randomNormal([4], 0, 1, "float32", epochSeed);
 * ```
 */
export function seedHash(seed: number, ...words: number[]): number {
  let h = Math.imul(seed | 0, 0x9e3779b1);
  for (const word of words) {
    h ^= Math.imul(word + 1, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    h ^= h >>> 16;
  }
  return ((h >>> 0) % 0x7ffffffe) + 1;
}

import { seedFor } from "@sam/core";

/**
 * The random streams of a run besides the optimizer's own (whose noise is drawn from
 * `seedFor(optimizer seed, step, param, role)` inside `@sam/core` and `@sam/langevin`). Each is
 * counter-based: draw `c` of stream `s` is seeded by `seedFor(run seed, c, 0, s)`, so the state of
 * every stream is its counter, which a checkpoint records (the step, the epoch) and a resumed
 * run recomputes exactly. Nothing draws from a global generator.
 *
 * @example
 * ```ts
 * streamSeed(1, STREAMS.dataOrder, 3); // the seed of epoch 3's permutation
 * ```
 */
export const STREAMS = {
  /** The permutation of the training examples in epoch `c`. */
  dataOrder: 101,
  /** The crops and flips of step `c`. */
  augmentation: 102,
  /** The train/validation split (counter 0). */
  validationSplit: 103,
  /** The train/test split of a generated data set (counter 0). */
  generatedTest: 104,
  /** The subset of the real digits kept for training/test (counter 0). */
  subset: 105,
} as const;

/**
 * The seed of draw `counter` of stream `stream` in a run seeded `seed`: a positive int32, never 0.
 *
 * @example
 * ```ts
 * const seedOfEpoch3 = streamSeed(1, STREAMS.dataOrder, 3); // seeds the permutation of epoch 3 in a run seeded 1
 * ```
 */
export function streamSeed(seed: number, stream: number, counter: number): number {
  return seedFor(seed, counter, 0, stream);
}

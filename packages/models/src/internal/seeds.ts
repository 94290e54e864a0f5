/**
 * Derives the `index`-th child seed of `seed`: a 31-bit integer in [1, 2^31 - 1].
 *
 * Never 0, because tfjs reads seed 0 as "no seed" and would then draw from `Math.random`.
 * The mix is a 32-bit integer hash (splitmix-style finalizer), so neighbouring indices give
 * unrelated seeds.
 */
export function deriveSeed(seed: number, index: number): number {
  let h = Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h = (h ^ (h >>> 16)) >>> 0; // unsigned 32-bit
  return (h % 0x7ffffffe) + 1;
}

/** Throws a clear error unless `seed` is a finite integer. */
export function checkSeed(fn: string, seed: number): void {
  if (!Number.isInteger(seed)) {
    throw new Error(`${fn}: seed must be an integer, got ${seed}. Pass e.g. { seed: 1 }.`);
  }
}

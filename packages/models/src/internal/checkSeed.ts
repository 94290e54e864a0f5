/** Throws a clear error unless `seed` is a finite integer. */
export function checkSeed(fn: string, seed: number): void {
  if (!Number.isInteger(seed)) {
    throw new Error(`${fn}: seed must be an integer, got ${seed}. Pass e.g. { seed: 1 }.`);
  }
}

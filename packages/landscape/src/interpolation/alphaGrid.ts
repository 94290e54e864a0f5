import { SamConfigError } from "@sam/core";

/**
 * An evenly spaced grid of interpolation coefficients, endpoints included. Defaults give
 * the Vlaar & Frankle grid, 51 points on [0, 1]; `alphaGrid(-0.5, 1.5, 401)` is the
 * extrapolating grid of Li et al.
 *
 * @example
 * ```ts
 * import { alphaGrid } from "@sam/landscape";
 *
 * alphaGrid(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function alphaGrid(start = 0, stop = 1, points = 51): number[] {
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !(stop > start)) {
    throw new SamConfigError(
      `alphaGrid range is [${start}, ${stop}]: it needs finite start < stop, e.g. [-0.5, 1.5].`,
    );
  }
  if (!Number.isInteger(points) || points < 2) {
    throw new SamConfigError(`alphaGrid points is ${points}: it must be an integer >= 2, e.g. 51.`);
  }
  // Rounded to 1e-12 so that 0, 0.5 and 1 come out exact.
  return Array.from(
    { length: points },
    (_, i) => Math.round((start + ((stop - start) * i) / (points - 1)) * 1e12) / 1e12,
  );
}

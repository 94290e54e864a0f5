import { createRng } from "@sam/core";
import type { Param, ParamSet } from "@sam/core";
import type { TensorValue } from "../paramState";
import type { Direction } from "./direction";
import { type NormalizeDirectionOptions, normalizeDirection } from "./normalizeDirection";

/** Options of {@link randomDirection}. */
export interface RandomDirectionOptions extends NormalizeDirectionOptions {
  /** Seed (a JS generator, so every backend draws the same direction). Default 1. */
  readonly seed?: number;
}

/**
 * A random Gaussian direction d ~ N(0, I) over the parameters, filter-normalised by
 * default (see {@link normalizeDirection}): the direction of Li et al.'s 1-D and 2-D
 * plots. With the default `ignore: 'biasbn'` it is zero on biases and normalisation
 * parameters. Two independent draws are nearly orthogonal in high dimension (cosine about
 * N(0, 1/n)).
 *
 * @example
 * ```ts
 * import { randomDirection, slice2d } from "@sam/landscape";
 *
 * const d1 = randomDirection(params, { seed: 1 });
 * const d2 = randomDirection(params, { seed: 2 });
 * const surface = await slice2d({ params, directions: [d1, d2], evaluate: lossFn });
 * ```
 */
export function randomDirection(
  params: ParamSet | readonly Param[],
  options: RandomDirectionOptions = {},
): Direction {
  const list = Array.isArray(params) ? (params as readonly Param[]) : (params as ParamSet).params;
  const rng = createRng(options.seed ?? 1);
  const raw: Record<string, TensorValue> = {};
  for (const p of list) {
    const values = new Float32Array(p.size);
    for (let i = 0; i < values.length; i++) values[i] = rng.normal();
    raw[p.path] = { shape: [...p.shape], values };
  }
  return normalizeDirection(list, raw, options);
}

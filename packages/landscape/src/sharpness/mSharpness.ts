import { SamConfigError } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import type { ParamsLike } from "../internal/resolveParams";
import { type OnProgress, yieldToEventLoop } from "../progress";
import { type WorstCaseSharpnessOptions, worstCaseSharpness } from "./worstCaseSharpness";

/** Options of {@link mSharpness}. */
export interface MSharpnessOptions extends WorstCaseSharpnessOptions {
  /** The parameters. */
  readonly params: ParamsLike;
  /** The loss on a batch: `(x, y) => tf.Scalar` (e.g. the mean cross-entropy of `model.apply(x)`). */
  readonly lossOn: (x: tf.Tensor, y: tf.Tensor) => tf.Scalar;
  /** Inputs, batch on axis 0. */
  readonly x: tf.Tensor;
  /** Targets, batch on axis 0. */
  readonly y: tf.Tensor;
  /** Chunk size m. A last, smaller chunk is kept. */
  readonly m: number;
  /** Called after every chunk. */
  readonly onProgress?: OnProgress;
}

/** What {@link mSharpness} measured (plain JSON). */
export interface MSharpnessResult {
  /** Mean over chunks of each chunk's worst-case sharpness. */
  sharpness: number;
  /** Each chunk's sharpness, in order. */
  perChunk: number[];
  /** Chunk sizes. */
  chunkSizes: number[];
}

/**
 * m-sharpness (Foret et al. 2021): split the batch into disjoint chunks of m examples,
 * solve the inner maximisation of {@link worstCaseSharpness} separately on each chunk, and
 * average:  S_m = mean over chunks c of [max_{||delta|| <= rho} L_c(w + delta) - L_c(w)].
 * Small m correlates better with generalisation. All options of
 * {@link worstCaseSharpness} apply per chunk (`steps`, `norm: 'linf'`, `adaptive`, `select`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mSharpness } from "@sam/landscape";
 *
 * const res = await mSharpness({
 *   params, x, y, m: 32, rho: 0.05, steps: 5,
 *   lossOn: (xb, yb) => tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: false }) as tf.Tensor),
 * });
 * ```
 */
export async function mSharpness(options: MSharpnessOptions): Promise<MSharpnessResult> {
  const { params, lossOn, x, y, m, onProgress, ...inner } = options;
  const n = x?.shape?.[0];
  if (!Number.isInteger(m) || m < 1) {
    throw new SamConfigError(`mSharpness m is ${m}: it must be a positive chunk size such as 32.`);
  }
  if (!n || y?.shape?.[0] !== n) {
    throw new SamConfigError(
      `mSharpness x has ${n} examples and y ${y?.shape?.[0]}: pass inputs and targets with the same (non-zero) batch size on axis 0.`,
    );
  }
  const perChunk: number[] = [];
  const chunkSizes: number[] = [];
  const total = Math.ceil(n / m);
  for (let start = 0; start < n; start += m) {
    const size = Math.min(m, n - start);
    const xc = tf.slice(x, start, size);
    const yc = tf.slice(y, start, size);
    try {
      perChunk.push(worstCaseSharpness(params, () => lossOn(xc, yc), inner).sharpness);
      chunkSizes.push(size);
    } finally {
      tf.dispose([xc, yc]);
    }
    onProgress?.({ done: perChunk.length, total });
    await yieldToEventLoop();
  }
  return { sharpness: perChunk.reduce((a, b) => a + b, 0) / perChunk.length, perChunk, chunkSizes };
}

/**
 * Progress of a long evaluation: `done` of `total` units (loss evaluations, Hessian-vector
 * products, grid points), reported after every unit.
 *
 * @example
 * ```ts
 * import type { OnProgress } from "@sam/landscape";
 *
 * const onProgress: OnProgress = ({ done, total }) => process.stdout.write(`\r${done}/${total}`);
 * ```
 */
export interface Progress {
  /** Units finished. */
  readonly done: number;
  /** Units planned (an upper bound when the method may stop early). */
  readonly total: number;
}

/**
 * A progress callback, called after every unit of work of a long evaluation.
 *
 * @example
 * ```ts
 * import { interpolate, type OnProgress } from "@sam/landscape";
 *
 * const onProgress: OnProgress = (p) => console.log(`${p.done}/${p.total}`);
 * await interpolate({ params, from, to, evaluate, onProgress });
 * ```
 */
export type OnProgress = (progress: Progress) => void;

/** Lets the event loop run (timers, I/O, progress printing) between units of long work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

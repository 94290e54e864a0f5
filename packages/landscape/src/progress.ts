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
 * import { captureState, interpolate, type OnProgress } from "@sam/landscape";
 *
 * const onProgress: OnProgress = (p) => console.log(`${p.done}/${p.total}`);
 * const from = captureState(params);
 * await model.fit(x, y, { epochs: 10 });
 * await interpolate({ params, from, to: captureState(params), evaluate: lossFn, onProgress });
 * ```
 */
export type OnProgress = (progress: Progress) => void;

/**
 * Lets the event loop run (timers, I/O, progress printing, a browser's rendering) between units of
 * long work: a macrotask boundary that works everywhere. `setImmediate` where it exists (Node);
 * else a `MessageChannel` message (browsers, workers: not clamped to 4 ms as nested `setTimeout`
 * is); else `setTimeout(0)`.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as unknown as {
    setImmediate?: (callback: () => void) => unknown;
    MessageChannel?: new () => {
      port1: { onmessage: (() => void) | null; close(): void };
      port2: { postMessage(message: unknown): void };
    };
  };
  if (typeof g.setImmediate === "function") {
    const setImmediate = g.setImmediate;
    return new Promise((resolve) => setImmediate(resolve));
  }
  if (typeof g.MessageChannel === "function") {
    const channel = new g.MessageChannel();
    return new Promise((resolve) => {
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

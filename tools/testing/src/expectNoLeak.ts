import * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";

/** Options of {@link expectNoLeak}. */
export interface NoLeakOptions {
  /** How many calls in all (the first may allocate lazily-made state). Default 5. */
  readonly calls?: number;
  /** A name for the failure message. */
  readonly label?: string;
}

/**
 * Calls `fn` several times and asserts `tf.memory().numTensors` does not change from the
 * second call on (the tfjs test pattern: the first call may allocate state such as
 * optimizer slots). Whatever `fn` returns is disposed after each call, so a function that
 * returns its loss is measured fairly. Async functions are awaited.
 *
 * @example
 * ```ts
 * await expectNoLeak(() => optimizer.minimize(loss, true));
 * ```
 */
export async function expectNoLeak(fn: () => unknown, options: NoLeakOptions = {}): Promise<void> {
  const calls = options.calls ?? 5;
  const run = async () => {
    const out = await fn();
    tf.dispose(out as tf.TensorContainer);
  };
  await run();
  const after: number[] = [];
  const before = tf.memory().numTensors;
  for (let i = 1; i < calls; i++) {
    await run();
    after.push(tf.memory().numTensors);
  }
  expect(
    after.map((n) => n - before),
    `${options.label ?? "step"}: tensors alive after calls 2..${calls}, relative to after call 1`,
  ).toEqual(after.map(() => 0));
}

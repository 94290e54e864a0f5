import * as tf from "@tensorflow/tfjs-core";

/**
 * Runs `fn` and then disposes every tensor that was `tf.keep()`-ed while it ran and is
 * still alive. Why: `model.fit`'s loss closure keeps one tensor per metric each time it is
 * called and hands back only those of its first call; a second evaluation of the closure
 * (SAM's perturbed pass) would leak them. tfjs offers no hook for this, so the engine's
 * `keep` is wrapped for the duration of `fn` (and restored in `finally`).
 */
export function disposeKeptDuring<T>(fn: () => T): T {
  const engine = tf.engine() as unknown as { keep: <X extends tf.Tensor>(t: X) => X };
  const original = engine.keep;
  const kept: tf.Tensor[] = [];
  engine.keep = <X extends tf.Tensor>(t: X): X => {
    kept.push(t);
    return original.call(engine, t) as X;
  };
  try {
    return fn();
  } finally {
    engine.keep = original;
    for (const t of kept) if (!t.isDisposed) t.dispose();
  }
}

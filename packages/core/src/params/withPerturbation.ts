import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import type { ParamSnapshot } from "./paramSnapshot";

/**
 * Runs `fn` with the snapshot's parameters moved to `w + delta`, and puts them back
 * exactly (from the snapshot, not by subtracting `delta`) in a `finally`, so an exception
 * inside `fn` never leaves the weights perturbed.
 *
 * `deltas[i]` is the displacement of `snapshot.params[i]`; `null` leaves that parameter where it is.
 * With `{ consume: true }` the deltas are disposed once added (before `fn` runs), so that during
 * `fn` the only extra memory is the snapshot's copy of w: SAM's second pass keeps one copy of
 * the parameters, not two.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ParamSnapshot, withPerturbation } from "@sam/core";
 *
 * const snapshot = new ParamSnapshot(params.params);
 * const deltas = params.params.map((p) => tf.fill([...p.shape], 1e-3)); // one shift per parameter
 * const lossAtShifted = withPerturbation(snapshot, deltas, () => lossFn().dataSync()[0]);
 * // weights are back at w here, even if lossFn threw
 * ```
 */
export function withPerturbation<T>(
  snapshot: ParamSnapshot<{ readonly variable: tf.Variable }>,
  deltas: readonly (tf.Tensor | null)[],
  fn: () => T,
  options: { readonly consume?: boolean } = {},
): T {
  if (deltas.length !== snapshot.params.length) {
    throw new SamConfigError(
      `withPerturbation got ${deltas.length} deltas for ${snapshot.params.length} parameters. Pass one delta (or null) per parameter of the snapshot.`,
    );
  }
  snapshot.save();
  try {
    snapshot.params.forEach((p, i) => {
      const d = deltas[i];
      // Inside a tidy the sum is released at once; the variable keeps its data.
      if (d) tf.tidy(() => p.variable.assign(tf.add(p.variable, d)));
    });
    if (options.consume) for (const d of deltas) d?.dispose();
    return fn();
  } finally {
    if (options.consume) for (const d of deltas) d?.dispose();
    snapshot.restore();
  }
}

import * as tf from "@tensorflow/tfjs-core";
import type { Param } from "./param";

/**
 * Preallocated copies of some parameters' values: `save()` and `restore()` are `assign`s
 * into buffers made once, so saving every step allocates nothing that outlives the step.
 *
 * @example
 * ```ts
 * import { ParamSnapshot } from "@sam/core";
 *
 * const snapshot = new ParamSnapshot(params.params);
 * snapshot.save();      // w0
 * // ... change the weights ...
 * snapshot.restore();   // back to w0, bit for bit
 * snapshot.dispose();
 * ```
 */
export class ParamSnapshot<P extends { readonly variable: tf.Variable } = Param> {
  readonly params: readonly P[];
  private readonly buffers: tf.Variable[];

  /** `params`: parameters (or state variables: anything with a `variable`) to snapshot. */
  constructor(params: readonly P[]) {
    this.params = params;
    this.buffers = params.map((p) => {
      const copy = tf.clone(p.variable);
      const buffer = tf.variable(copy, false, undefined, p.variable.dtype);
      copy.dispose(); // the buffer holds its own reference to the data
      return buffer;
    });
  }

  /** Copies the parameters' current values into the buffers. */
  save(): void {
    this.params.forEach((p, i) => this.buffers[i]!.assign(p.variable));
  }

  /** Writes the saved values back into the parameters. */
  restore(): void {
    this.params.forEach((p, i) => p.variable.assign(this.buffers[i]!));
  }

  /** The saved value of the i-th parameter (a live buffer: do not dispose it). */
  saved(i: number): tf.Tensor {
    return this.buffers[i]!;
  }

  /** Frees the buffers. */
  dispose(): void {
    for (const b of this.buffers) b.dispose();
  }
}

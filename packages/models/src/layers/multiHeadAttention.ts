import * as tfc from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Constructor arguments of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionArgs {
  /** Layer name (no '/'). */
  name?: string;
  /** Number of heads `h`; the model dimension must be divisible by it. */
  numHeads: number;
}

/**
 * Weightless multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1). Inputs are the
 * already projected `[q, k, v]`, each `[batch, T, d]`; with `d_h = d / h` and heads split on the
 * last axis,
 *
 *   `head_i = softmax(q_i k_i^T / sqrt(d_h)) v_i`,  output = concat_i(head_i), shape `[batch, T, d]`.
 *
 * The projections (query, key, value, output) are ordinary `Dense` layers in the builders, so
 * `@sam/core` tags their kernels `weight` and biases `bias` from the layer class, with no extra
 * rules. Registered for serialization as `SamMultiHeadAttention` by {@link registerSamLayers}.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [5, 8] });
 * const q = tf.layers.dense({ units: 8 }).apply(x) as tf.SymbolicTensor;
 * const y = new MultiHeadAttention({ numHeads: 2 }).apply([q, q, q]); // [null, 5, 8]
 * ```
 */
export class MultiHeadAttention extends tfl.layers.Layer {
  /** Serialization name. */
  static readonly className = "SamMultiHeadAttention";
  readonly numHeads: number;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    if (!Number.isInteger(args.numHeads) || args.numHeads <= 0) {
      throw new Error(`MultiHeadAttention: numHeads must be a positive integer, got ${args.numHeads}.`);
    }
    this.numHeads = args.numHeads;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shapes = inputShape as tfl.Shape[];
    const d = shapes[0]?.[2];
    if (!Array.isArray(shapes[0]) || shapes.length !== 3 || d == null || d % this.numHeads !== 0) {
      throw new Error(
        `MultiHeadAttention '${this.name}': expects [q, k, v] of shape [batch, T, d] with d divisible by ` +
          `numHeads=${this.numHeads}, got ${JSON.stringify(inputShape)}.`,
      );
    }
    this.built = true;
  }

  override call(inputs: tfc.Tensor | tfc.Tensor[]): tfc.Tensor {
    return tfc.tidy(() => {
      const [q, k, v] = inputs as tfc.Tensor[];
      const [b, t, d] = q!.shape as [number, number, number];
      const h = this.numHeads;
      const dh = d / h;
      // [b, T, d] -> [b, h, T, dh]
      const split = (x: tfc.Tensor) =>
        tfc.transpose(tfc.reshape(x, [b, x.shape[1]!, h, dh]), [0, 2, 1, 3]) as tfc.Tensor4D;
      const scores = tfc.mul(tfc.matMul(split(q!), split(k!), false, true), 1 / Math.sqrt(dh));
      const out = tfc.matMul(tfc.softmax(scores), split(v!)); // [b, h, T, dh]
      return tfc.reshape(tfc.transpose(out, [0, 2, 1, 3]), [b, t, d]);
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return (inputShape as tfl.Shape[])[0]!;
  }

  override getConfig(): tfc.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads };
  }
}

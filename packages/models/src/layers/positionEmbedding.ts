import * as tfc from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Constructor arguments of {@link PositionEmbedding}. */
export interface PositionEmbeddingArgs {
  /** Layer name (no '/'). */
  name?: string;
  /** Standard deviation of the truncated-normal initializer. Default 0.02 (ViT, BERT). */
  stddev?: number;
  /** Initializer seed (non-zero). */
  seed?: number;
  /** Whether the embeddings are trainable. Default true. */
  trainable?: boolean;
}

/**
 * Learned absolute position embedding: `y[b, t, :] = x[b, t, :] + E[t, :]`, with one weight
 * `embeddings` of shape `[seqLen, dim]` taken from the input shape `[batch, seqLen, dim]`.
 *
 * Registered for serialization as `SamPositionEmbedding` by {@link registerSamLayers} (builders
 * call it). Its parameter path is `<name>/embeddings`; builders tag it `embedding` in `samMeta.tags`
 * because `@sam/core` tags `embeddings` by layer class (`Embedding`) only.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [16, 32] });
 * const y = new PositionEmbedding({ name: 'pos_embed', seed: 3 }).apply(x); // [null, 16, 32]
 * ```
 */
export class PositionEmbedding extends tfl.layers.Layer {
  /** Serialization name. */
  static readonly className = "SamPositionEmbedding";
  private readonly stddev: number;
  private readonly seed: number | undefined;
  private embeddings: tfl.LayerVariable | null = null;

  constructor(args: PositionEmbeddingArgs = {}) {
    super(args);
    this.stddev = args.stddev ?? 0.02;
    this.seed = args.seed;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const [, seqLen, dim] = shape;
    if (shape.length !== 3 || seqLen == null || dim == null) {
      throw new Error(
        `PositionEmbedding '${this.name}': input must be [batch, seqLen, dim] with known seqLen and dim, ` +
          `got ${JSON.stringify(shape)}.`,
      );
    }
    this.embeddings = this.addWeight(
      "embeddings",
      [seqLen, dim],
      "float32",
      tfl.initializers.truncatedNormal({ mean: 0, stddev: this.stddev, seed: this.seed }),
    );
    this.built = true;
  }

  override call(inputs: tfc.Tensor | tfc.Tensor[]): tfc.Tensor {
    return tfc.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tfc.add(x, this.embeddings!.read());
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override getConfig(): tfc.serialization.ConfigDict {
    const config: tfc.serialization.ConfigDict = { ...super.getConfig(), stddev: this.stddev };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}

import * as tfc from "@tensorflow/tfjs-core";
import { MultiHeadAttention } from "./multiHeadAttention";
import { PositionEmbedding } from "./positionEmbedding";

/**
 * Registers this package's custom layers (`SamPositionEmbedding`, `SamMultiHeadAttention`) with
 * `tf.serialization`, so that saved topologies that use them can be deserialized.
 *
 * Idempotent. The builders (`vit`, `textTransformer`) and `loadModel` call it, so you only need it
 * when you call `tf.loadLayersModel` yourself before building any model of this package. It is a
 * function rather than an import side effect so that the package stays `sideEffects: false`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { registerSamLayers } from '@sam/models';
 * import { fileHandler } from '@sam/models/node';
 *
 * registerSamLayers();
 * const model = await tf.loadLayersModel(fileHandler('./ckpt'));
 * ```
 */
export function registerSamLayers(): void {
  // registerClass overwrites silently; registering the same constructor twice is harmless.
  tfc.serialization.registerClass(PositionEmbedding);
  tfc.serialization.registerClass(MultiHeadAttention);
}

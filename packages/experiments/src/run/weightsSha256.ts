import { createHash } from "node:crypto";
import type * as tf from "@tensorflow/tfjs";

/**
 * SHA-256 of a model's weights in a fixed order: for each weight in `model.weights` order
 * (the construction order, which the builders fix), its path (`layer/weight`), a NUL, its dtype,
 * its shape as JSON, a NUL, then its values' bytes (little-endian). Two runs end with the same
 * digest exactly when every weight has the same name, shape and bits.
 *
 * @example
 * ```ts
 * const digest = weightsSha256(model); // 64 hex digits
 * ```
 */
export function weightsSha256(model: tf.LayersModel): string {
  const hash = createHash("sha256");
  for (const w of model.weights) {
    hash.update(`${w.originalName}\0${w.dtype}${JSON.stringify(w.shape)}\0`);
    const values = w.read().dataSync();
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest("hex");
}

import * as tf from "@tensorflow/tfjs-core";

/**
 * Inserts s-1 zeros after every row and column of an NHWC tensor:
 * out[b, p*s_h, q*s_w, c] = x[b, p, q, c], zero elsewhere; out has OH*s_h rows and OW*s_w columns
 * (the trailing s-1 rows/columns are zeros; callers crop them with `padOrCrop`).
 *
 * Done with reshape + pad + reshape, all native on wasm.
 *
 * @example
 * ```ts
 * zeroInsert(dy, 2, 2); // [B, OH, OW, C] -> [B, 2*OH, 2*OW, C]
 * ```
 */
export function zeroInsert(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    const x6 = tf.reshape(x, [b, h, 1, w, 1, c]);
    const p = tf.pad(x6, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    return tf.reshape(p, [b, h * sh, w * sw, c]);
  });
}

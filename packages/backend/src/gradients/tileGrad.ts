import * as tf from "@tensorflow/tfjs-core";

/**
 * Gradient of `Tile` as one reshape and one sum. Symbols: x of shape s (rank n), reps r,
 * y = tile(x, r) of shape (s_0 r_0, ..., s_{n-1} r_{n-1}) with
 * y[k_0 s_0 + j_0, ..., k_{n-1} s_{n-1} + j_{n-1}] = x[j_0, ..., j_{n-1}] (0 <= k_i < r_i). Hence
 *
 *     dx[j] = sum_{k} dy[k_0 s_0 + j_0, ...] = sum over the even axes of reshape(dy, [r_0, s_0, r_1, s_1, ...]).
 *
 * tfjs-core's gradient adds one `slice` per copy (prod(r) slices and adds, ranks 1-4 only):
 * tfjs-layers' `LayerNormalization` tiles gamma and beta to every token of the batch, so its
 * backward ran ~2 x batch x tokens tiny kernels per layer. This is 1 pass over dy, any rank.
 *
 * @example
 * ```ts
 * tf.registerGradient(tileGradConfig);
 * ```
 */
export const tileGradConfig: tf.GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { reps } = attrs as unknown as tf.TileAttrs;
    return {
      x: () => {
        const split = x!.shape.flatMap((s, i) => [reps[i]!, s]);
        const copies = x!.shape.map((_, i) => 2 * i);
        return tf.reshape(tf.sum(tf.reshape(dy as tf.Tensor, split), copies), x!.shape);
      },
    };
  },
};

import * as tf from "@tensorflow/tfjs-core";

/**
 * dy of a reduction reshaped to x's rank (size-1 reduced axes) and broadcast to x's shape.
 * Symbols: x the reduced input, A its reduced axes, dy the output gradient; the result is
 * dx[i] = dy[i with the axes in A dropped] * factor. Done as a `Tile` (a block copy on wasm
 * with this package) of the small tensor dy * factor, instead of tfjs-core's
 * `mul(reshape(dy), ones(x.shape))` (and a `div` for `Mean`): 1 full pass instead of 2-3.
 */
function broadcastBack(dy: tf.Tensor, x: tf.Tensor, axis: number | number[], factor: number): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const scaled = factor === 1 ? tf.cast(dy, "float32") : tf.div(tf.cast(dy, "float32"), factor);
  return tf.broadcastTo(tf.reshape(scaled, expanded), x.shape);
}

/**
 * Gradient of `Sum`: dx = dy broadcast back over the summed axes (see `broadcastBack` in this file).
 * Same values as tfjs-core's gradient (a product with ones), with one full-size pass instead of 2.
 *
 * @example
 * ```ts
 * tf.registerGradient(sumGradConfig);
 * ```
 */
export const sumGradConfig: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { axis } = attrs as unknown as tf.SumAttrs;
    return { x: () => broadcastBack(dy as tf.Tensor, x!, axis, 1) };
  },
};

/**
 * Gradient of `Mean`: dx = (dy / n) broadcast back over the averaged axes, n the number of
 * averaged elements. tfjs-core computes (dy * ones) / n; dividing the small dy first gives the
 * same float32 values (multiplying by 1 is exact) with one full-size pass instead of 3.
 *
 * @example
 * ```ts
 * tf.registerGradient(meanGradConfig);
 * ```
 */
export const meanGradConfig: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { axis } = attrs as unknown as tf.MeanAttrs;
    const axes = tf.util.parseAxisParam(axis, x!.shape);
    const n = axes.reduce((p, a) => p * x!.shape[a]!, 1);
    return { x: () => broadcastBack(dy as tf.Tensor, x!, axis, n) };
  },
};

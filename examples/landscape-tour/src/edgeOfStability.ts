import * as tf from "@tensorflow/tfjs";
import { collectParams } from "@sam/core";
import { EdgeOfStabilityTracker } from "@sam/landscape";
import { createRng, mlp } from "@sam/models";

/** Options of {@link edgeOfStabilityRun}. */
export interface EdgeOfStabilityRunOptions {
  /** Learning rate of full-batch gradient descent; the threshold is 2/lr. */
  readonly lr: number;
  readonly steps: number;
  /** Measure the top Hessian eigenvalue every N steps. */
  readonly every: number;
  /** Training examples (Gaussian inputs in 20 dimensions, random labels over 4 classes). */
  readonly n: number;
  readonly seed?: number;
}

/**
 * Cohen et al. 2021's phenomenon under `model.fit`: a 20-64-4 tanh MLP trained by full-batch
 * gradient descent on the half squared error sharpens until its top Hessian eigenvalue
 * reaches 2/lr, then hovers there while the loss keeps falling non-monotonically. The
 * tracker runs as a fit callback.
 */
export async function edgeOfStabilityRun(o: EdgeOfStabilityRunOptions) {
  const rng = createRng(o.seed ?? 1);
  const x = tf.tensor2d(Float32Array.from({ length: o.n * 20 }, () => rng.normal()), [o.n, 20]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: o.n }, () => rng.int(4)), "int32"), 4));
  const model = mlp({ inputDim: 20, widths: [64], outputDim: 4, activation: "tanh", seed: o.seed ?? 1 }) as unknown as tf.LayersModel;
  // 1/2 ||f(x) - y||^2 averaged over examples: the loss trained and the loss whose Hessian is tracked
  const halfSquaredError = (target: tf.Tensor, output: tf.Tensor) => tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(output, target)), -1)));
  const tracker = new EdgeOfStabilityTracker({
    params: collectParams(model as never),
    lossFn: () => halfSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar,
    lr: o.lr,
    every: o.every,
  });
  model.compile({ optimizer: tf.train.sgd(o.lr), loss: halfSquaredError });
  await model.fit(x, y, { batchSize: o.n, epochs: o.steps, shuffle: false, verbose: 0, callbacks: [tracker.callback()] as never });
  tf.dispose([x, y]);
  model.dispose();
  return { threshold: 2 / o.lr, history: tracker.history };
}

import { createRng, fromVariables } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/**
 * The spec's invariance network (section B.2): 8 -> 16 -> 3, ReLU, no biases, softmax
 * cross-entropy, on 32 seeded Gaussian inputs. `c` scales W1 by c and W2 by 1/c: the function
 * is unchanged (ReLU is positively homogeneous).
 */
export function reluNet(c = 1, seed = 21) {
  const rng = createRng(seed);
  const n = 32;
  const x = tf.tensor2d(
    Array.from({ length: n * 8 }, () => rng.normal()),
    [n, 8],
  );
  const labels = Array.from({ length: n }, () => Math.floor(rng.uniform() * 3));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), 3));
  const w1 = tf.variable(
    tf.tensor2d(
      Array.from({ length: 8 * 16 }, () => c * rng.normal() * 0.5),
      [8, 16],
    ),
  );
  const w2 = tf.variable(
    tf.tensor2d(
      Array.from({ length: 16 * 3 }, () => (rng.normal() * 0.5) / c),
      [16, 3],
    ),
  );
  const params = fromVariables({ "fc1/kernel": w1, "fc2/kernel": w2 });
  const loss = () =>
    tf.tidy(() => tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.relu(tf.matMul(x, w1)), w2)) as tf.Scalar);
  return { params, loss, w1, w2, dispose: () => tf.dispose([x, y, w1, w2]) };
}

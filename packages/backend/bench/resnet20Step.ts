import * as tf from "@tensorflow/tfjs";
import { cifarResNet } from "@sam/models";

/**
 * The training step every backend bench times: a CIFAR ResNet-20 (seed 1), one momentum-SGD
 * step on a fixed random batch of `batch` 32x32x3 images, loss read back so the step is complete.
 */
export function resnet20Step(batch: number): () => void {
  const model = cifarResNet({
    depth: 20,
    numClasses: 10,
    inputShape: [32, 32, 3],
    seed: 1,
  }) as unknown as tf.LayersModel;
  const optimizer = tf.train.momentum(0.05, 0.9);
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, "float32", 2);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", 3) as tf.Tensor1D, 10);
  return () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    )!;
    loss.dataSync();
    loss.dispose();
  };
}

import * as tfc from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/**
 * Runs `steps` plain SGD-momentum steps of softmax cross-entropy on one fixed batch and returns the
 * losses. Test helper: "every model trains for a few steps on the default backend".
 */
export function trainSteps(
  model: tfl.LayersModel,
  x: tfc.Tensor,
  yOneHot: tfc.Tensor,
  steps: number,
  lr = 0.05,
): number[] {
  const opt = tfc.train.momentum(lr, 0.9);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = opt.minimize(
      () => tfc.losses.softmaxCrossEntropy(yOneHot, model.apply(x, { training: true }) as tfc.Tensor),
      true,
    ) as tfc.Scalar;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  opt.dispose();
  return losses;
}

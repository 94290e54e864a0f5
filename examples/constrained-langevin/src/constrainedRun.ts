import * as tf from "@tensorflow/tfjs";
import { collectParams, GroupedOptimizer } from "@sam/core";
import { accuracy, trainClassifier } from "@sam/examples-kit";
import { langevin, langevinDiagnostics, orthogonal } from "@sam/langevin";
import { type Dataset, mlp } from "@sam/models";

/** Options of {@link constrainedRun}. */
export interface ConstrainedRunOptions {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly epochs: number;
  readonly batchSize: number;
  /** Hidden width (the constrained kernel is width x width, so it can be orthogonal). */
  readonly width: number;
  /** Keep the width x width hidden kernel orthogonal (o-CoLA). */
  readonly orthogonal: boolean;
  readonly seed?: number;
  readonly label?: string;
}

/**
 * Trains an MLP in -> width -> width -> classes with underdamped Langevin (BAOAB, h 0.2,
 * friction 1, temperature 1e-6 in mean-loss units) and reports test accuracy and, per epoch,
 * the orthogonality residual ||W^T W - I||_F of the width x width hidden kernel. With
 * `orthogonal`, the rule keeps that kernel on the orthogonal manifold (RATTLE-type
 * projection, Leimkuhler et al. 2021); without, it drifts freely.
 */
export async function constrainedRun(o: ConstrainedRunOptions) {
  const inputDim = o.train.xShape.reduce((a, b) => a * b, 1);
  const model = mlp({ inputDim, widths: [o.width, o.width], outputDim: o.train.numClasses ?? 5, activation: "relu", seed: o.seed ?? 1 }) as unknown as tf.LayersModel;
  const flatten = (d: Dataset): Dataset => ({ ...d, xShape: [inputDim] });
  const params = collectParams(model as never);
  const hidden = params.params.find((p) => p.layer?.index === 1 && p.tags.has("weight"))!;
  const rule = langevin({}, o.orthogonal ? { constraints: [orthogonal({ select: { path: hidden.path } })] } : {});
  const optimizer = new GroupedOptimizer({ params, rule, defaults: { h: 0.2, friction: 1, temperature: 1e-6 }, seed: o.seed ?? 1 });
  const residual = () =>
    tf.tidy(() => {
      const w = hidden.variable;
      const gram = tf.matMul(w, w, true, false);
      return tf.norm(tf.sub(gram, tf.eye(o.width))).dataSync()[0]!;
    });
  const residuals = [residual()];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    trainClassifier(model, optimizer, flatten(o.train), { epochs: 1, batchSize: o.batchSize, seed: (o.seed ?? 1) + epoch, ...(o.label ? { label: `${o.label} epoch ${epoch + 1}` } : {}) });
    residuals.push(residual());
  }
  const diagnostics = await langevinDiagnostics(optimizer);
  const result = { orthogonal: o.orthogonal, testAccuracy: accuracy(model, flatten(o.test)), residuals, diagnostics };
  optimizer.dispose();
  model.dispose();
  return result;
}

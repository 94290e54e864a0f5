import * as tf from "@tensorflow/tfjs";
import { cifarResNet, mlp, smallConvNet, textTransformer, vit, wideResNet } from "@sam/models";
import { beforeAll, describe, expect, it } from "vitest";
import { setupBackend } from "./setupBackend";

// Issue: every model of @sam/models trains for a few steps on wasm with this package's kernels
// (setupBackend's choice without tfjs-node), and, with SAM_BACKEND=tensorflow (pnpm
// test:tensorflow), on libtensorflow with this package's training gradients.
const backend = process.env.SAM_BACKEND ?? "wasm";
describe(`every @sam/models model trains on ${backend}`, () => {
  beforeAll(async () => {
    const choice = await setupBackend({ prefer: "wasm" });
    expect(choice.backend).toBe(backend);
  });

  const image = (n: number, size: number) => tf.randomNormal([n, size, size, 3], 0, 1, "float32", 3);
  const labels = (n: number, classes: number) =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % classes),
        "int32",
      ),
      classes,
    );
  const cases: [string, () => { model: tf.LayersModel; x: tf.Tensor; y: tf.Tensor }][] = [
    [
      "mlp (BatchNorm)",
      () => ({
        model: mlp({ inputDim: 6, widths: [8, 8], outputDim: 3, norm: "batch" }) as never,
        x: tf.randomNormal([4, 6], 0, 1, "float32", 1),
        y: labels(4, 3),
      }),
    ],
    [
      "CIFAR ResNet-20",
      () => ({
        model: cifarResNet({ depth: 20, numClasses: 3, inputShape: [8, 8, 3] }) as never,
        x: image(2, 8),
        y: labels(2, 3),
      }),
    ],
    [
      "Wide ResNet-16-4",
      () => ({
        model: wideResNet({ depth: 16, widen: 4, numClasses: 3, inputShape: [8, 8, 3] }) as never,
        x: image(2, 8),
        y: labels(2, 3),
      }),
    ],
    [
      "Wide ResNet-28-10",
      () => ({
        model: wideResNet({ depth: 28, widen: 10, numClasses: 3, inputShape: [8, 8, 3] }) as never,
        x: image(2, 8),
        y: labels(2, 3),
      }),
    ],
    [
      "small ViT",
      () => ({
        model: vit({ imageSize: 8, patchSize: 4, dim: 16, depth: 2, heads: 2, numClasses: 3 }) as never,
        x: image(2, 8),
        y: labels(2, 3),
      }),
    ],
    [
      "text transformer",
      () => ({
        model: textTransformer({
          vocabSize: 20,
          seqLen: 6,
          dim: 16,
          depth: 1,
          heads: 2,
          numClasses: 3,
        }) as never,
        x: tf.tensor2d(
          [
            [1, 2, 3, 4, 5, 6],
            [6, 5, 4, 3, 2, 1],
          ],
          [2, 6],
          "int32",
        ),
        y: labels(2, 3),
      }),
    ],
    [
      "small conv net",
      () => ({
        model: smallConvNet({ inputShape: [8, 8, 3], numClasses: 3 }) as never,
        x: image(2, 8),
        y: labels(2, 3),
      }),
    ],
  ];

  for (const [name, make] of cases) {
    it(`${name}: two SGD steps move every trainable weight, losses finite`, () => {
      const { model, x, y } = make();
      const before = model.trainableWeights.map((w) => w.read().clone());
      const optimizer = tf.train.sgd(0.05);
      const losses: number[] = [];
      for (let i = 0; i < 2; i++) {
        const loss = optimizer.minimize(
          () =>
            tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
          true,
        )!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      const unmoved = model.trainableWeights.filter(
        (w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w.read(), before[i]!))).dataSync()[0]!) === 0,
      );
      expect(unmoved.map((w) => w.originalName)).toEqual([]);
      tf.dispose([x, y, ...before]);
      optimizer.dispose();
      model.dispose();
    }, 180_000);
  }
});

import { cifarResNet, type Dataset, mlp, type SamModel, smallConvNet, vit, wideResNet } from "@sam/models";
import type * as tf from "@tensorflow/tfjs";
import type { RunConfig } from "../config/runConfig";

/** Layer classes that draw from tfjs's global, unseeded random generator in training mode. */
const RANDOM_LAYERS = new Set([
  "Dropout",
  "SpatialDropout1D",
  "SpatialDropout2D",
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
]);

/**
 * Refuses a model with a layer whose training-mode randomness cannot be saved in a checkpoint.
 * tfjs draws dropout masks from a global generator without a seed (or, with a seed, the same mask
 * every step), so a resumed run could not repeat them and `--resume` would not be bit-identical.
 *
 * @throws Naming the layer, its rate and the fix.
 *
 * @example
 * ```ts
 * const net = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] }), tf.layers.dropout({ rate: 0.1 })] });
 * refuseUnseededRandomLayers(net); // throws: the dropout layer, its rate, and "set the model's dropout to 0"
 * ```
 */
export function refuseUnseededRandomLayers(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (!RANDOM_LAYERS.has(layer.getClassName())) continue;
    const rate = (layer.getConfig() as { rate?: number }).rate ?? 1;
    if (rate > 0) {
      throw new Error(
        `model.options: layer "${layer.name}" is ${layer.getClassName()} with rate ${rate}. ` +
          "tfjs draws its masks from a global random generator that a checkpoint cannot save, so a resumed run " +
          "would not repeat the uninterrupted one. Set the model's dropout to 0 for sam-train.",
      );
    }
  }
}

/**
 * The data set as the model takes it: flat vectors for `mlp` (an image becomes its pixels),
 * unchanged otherwise.
 *
 * @example
 * ```ts
 * const digits = { xs: new Float32Array(784), xShape: [28, 28, 1], ys: new Int32Array(1), yShape: [], size: 1, numClasses: 10 };
 * modelInput("mlp", digits).xShape; // [784]
 * ```
 */
export function modelInput(builder: RunConfig["model"]["builder"], ds: Dataset): Dataset {
  if (builder !== "mlp" || ds.xShape.length === 1) return ds;
  return { ...ds, xShape: [ds.xShape.reduce((a, b) => a * b, 1)] };
}

/**
 * Builds the model a config names, with its input shape and class count taken from the data
 * unless `model.options` sets them, and its initializer seed from the run's seed.
 *
 * @example
 * ```ts
 * const model = buildModel({ builder: "smallConvNet", options: { filters: [8, 16] } }, [28, 28, 1], 10, 1);
 * ```
 */
export function buildModel(
  model: Pick<RunConfig["model"], "builder" | "options">,
  xShape: readonly number[],
  numClasses: number,
  seed: number,
): SamModel {
  const o = { seed, ...model.options } as Record<string, unknown>;
  const image =
    xShape.length === 3 ? ([xShape[0]!, xShape[1]!, xShape[2]!] as [number, number, number]) : null;
  const needImage = () => {
    if (!image) {
      throw new Error(
        `model.builder is "${model.builder}", which takes images [height, width, channels], but the data's examples have shape ${JSON.stringify(xShape)}. Use "mlp".`,
      );
    }
    return image;
  };
  let built: SamModel;
  try {
    switch (model.builder) {
      case "mlp":
        built = mlp({ inputDim: xShape.reduce((a, b) => a * b, 1), outputDim: numClasses, ...o } as never);
        break;
      case "smallConvNet":
        built = smallConvNet({ inputShape: needImage(), numClasses, ...o } as never);
        break;
      case "cifarResNet":
        built = cifarResNet({ depth: 20, inputShape: needImage(), numClasses, ...o } as never);
        break;
      case "wideResNet":
        built = wideResNet({ depth: 16, widen: 1, inputShape: needImage(), numClasses, ...o } as never);
        break;
      case "vit": {
        const [h, , c] = needImage();
        built = vit({ imageSize: h, channels: c, numClasses, ...o } as never);
        break;
      }
    }
  } catch (e) {
    throw new Error(`model.options (${model.builder}): ${(e as Error).message}`);
  }
  refuseUnseededRandomLayers(built as unknown as tf.LayersModel);
  return built;
}

import * as tfl from "@tensorflow/tfjs-layers";
import { batchNorm, checkPositiveInt, checkShape, conv, head, relu } from "../internal/layerFactory";
import { MetaRecorder } from "../internal/metaRecorder";
import type { SamModel } from "../samMeta";

/** Options of {@link cifarResNet}. */
export interface CifarResNetOptions {
  /** Depth `6n + 2`: 20, 32, 44, 56, 110, ... (n basic blocks per stage). */
  depth: number;
  /** Number of classes (head units). Default 10. */
  numClasses?: number;
  /** Input shape `[height, width, channels]`. Default `[32, 32, 3]`. */
  inputShape?: [number, number, number];
  /** Channels of the first stage; stages 2 and 3 use 2x and 4x. Default 16. */
  width?: number;
  /** Head activation: `'linear'` (logits, default) or `'softmax'` (for `loss: 'categoricalCrossentropy'`). */
  headActivation?: "linear" | "softmax";
  /** Initializer seed (never 0 is passed to tfjs). Default 1, so two builds are identical. */
  seed?: number;
}

/**
 * The CIFAR ResNet of He et al. (2016, section 4.2): a 3x3 conv stem with `width` channels, three
 * stages of `n = (depth - 2) / 6` basic blocks with `width`, `2 width`, `4 width` channels (the
 * first block of stages 2 and 3 has stride 2), global average pooling and a dense head.
 *
 * Basic block (post-activation, as in the paper):
 * `y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`, convs 3x3 without bias.
 * Shortcut: identity when shapes match, otherwise a 1x1 conv (stride 2) + BatchNorm projection
 * ("option B"; the paper's CIFAR models use option A, zero-padding, which has no weights). So
 * ResNet-20 has 272,474 trainable parameters here: the paper's 269,722 (option A, "0.27M") plus
 * 2,752 in the two projections. With the BatchNorm moving statistics, `countParams()` is 274,042.
 *
 * Layer names: `stem_conv`, `stem_bn`, `stem_relu`, `stage{s}_block{b}_{conv1,bn1,relu1,conv2,bn2,
 * shortcut_conv,shortcut_bn,add,relu2}`, `pool`, `head`. Blocks: `stem`, `stage{s}_block{b}`,
 * `head` (the pool belongs to `head`). BatchNorm uses PyTorch's momentum/epsilon.
 *
 * @param options - See {@link CifarResNetOptions}.
 * @returns A functional `tf.LayersModel` mapping `[batch, ...inputShape]` to `[batch, numClasses]`
 *   logits, with `samMeta` attached.
 * @throws If `depth` is not `6n + 2` with n >= 1, or a size is not a positive integer.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { cifarResNet } from '@sam/models';
 * const model = cifarResNet({ depth: 20, numClasses: 10, seed: 7 });
 * model.countParams(); // 274,042 (272,474 trainable + BatchNorm moving statistics)
 * const logits = model.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor; // [2, 10]
 * ```
 */
export function cifarResNet(options: CifarResNetOptions): SamModel {
  const fn = "cifarResNet";
  const { depth, numClasses = 10, inputShape = [32, 32, 3], width = 16, headActivation, seed = 1 } = options;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new Error(
      `${fn}: depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110, ...), got ${depth}. ` +
        "Use e.g. { depth: 20 }.",
    );
  }
  checkPositiveInt(fn, "numClasses", numClasses);
  checkPositiveInt(fn, "width", width);
  checkShape(fn, "inputShape", inputShape, 3);
  const n = (depth - 2) / 6;
  const rec = new MetaRecorder(fn, seed);

  rec.block("stem");
  const input = tfl.input({ shape: inputShape, name: "input" });
  rec.add(input.sourceLayer);
  let x = conv(rec, "stem_conv", width, 3).apply(input) as tfl.SymbolicTensor;
  x = batchNorm(rec, "stem_bn").apply(x) as tfl.SymbolicTensor;
  x = relu(rec, "stem_relu").apply(x) as tfl.SymbolicTensor;

  let channels = width;
  for (let s = 1; s <= 3; s++) {
    const stageWidth = width * 2 ** (s - 1);
    for (let b = 1; b <= n; b++) {
      const p = `stage${s}_block${b}`;
      rec.block(p);
      const stride = s > 1 && b === 1 ? 2 : 1;
      let y = conv(rec, `${p}_conv1`, stageWidth, 3, stride).apply(x) as tfl.SymbolicTensor;
      y = batchNorm(rec, `${p}_bn1`).apply(y) as tfl.SymbolicTensor;
      y = relu(rec, `${p}_relu1`).apply(y) as tfl.SymbolicTensor;
      y = conv(rec, `${p}_conv2`, stageWidth, 3).apply(y) as tfl.SymbolicTensor;
      y = batchNorm(rec, `${p}_bn2`).apply(y) as tfl.SymbolicTensor;
      let shortcut = x;
      if (stride !== 1 || channels !== stageWidth) {
        shortcut = conv(rec, `${p}_shortcut_conv`, stageWidth, 1, stride).apply(x) as tfl.SymbolicTensor;
        shortcut = batchNorm(rec, `${p}_shortcut_bn`).apply(shortcut) as tfl.SymbolicTensor;
      }
      y = rec.add(tfl.layers.add({ name: `${p}_add` })).apply([y, shortcut]) as tfl.SymbolicTensor;
      x = relu(rec, `${p}_relu2`).apply(y) as tfl.SymbolicTensor;
      channels = stageWidth;
    }
  }

  rec.block("head");
  x = rec.add(tfl.layers.globalAveragePooling2d({ name: "pool" })).apply(x) as tfl.SymbolicTensor;
  const logits = head(rec, numClasses, headActivation).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: logits, name: `cifar_resnet${depth}` });
  return Object.assign(model, { samMeta: rec.finish(["head"]) });
}

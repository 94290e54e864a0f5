import * as tfl from "@tensorflow/tfjs-layers";
import { batchNorm, checkPositiveInt, checkShape, conv, head, relu } from "../internal/layerFactory";
import { MetaRecorder } from "../internal/metaRecorder";
import type { SamModel } from "../samMeta";

/** Options of {@link wideResNet}. */
export interface WideResNetOptions {
  /** Depth `6n + 4`: 16, 22, 28, 40, ... (n blocks per stage). */
  depth: number;
  /** Widening factor k (4 and 10 in the papers). */
  widen: number;
  /** Number of classes. Default 10. */
  numClasses?: number;
  /** Input shape `[height, width, channels]`. Default `[32, 32, 3]`. */
  inputShape?: [number, number, number];
  /** Head activation: `'linear'` (logits, default) or `'softmax'`. */
  headActivation?: "linear" | "softmax";
  /** Initializer seed. Default 1. */
  seed?: number;
}

/**
 * Wide ResNet WRN-depth-k (Zagoruyko & Komodakis 2016), as in the authors' code and SAM's
 * experiments: a 3x3 conv stem with 16 channels, three stages of `n = (depth - 4) / 6`
 * pre-activation blocks with `16k`, `32k`, `64k` channels (stride 2 at the start of stages 2 and 3),
 * a final BN-ReLU, global average pooling and a dense head. No dropout.
 *
 * Block: `a = relu(bn1(x))`, `y = conv2(relu(bn2(conv1(a))))`, output `y + s` with `s = x` when the
 * shapes match, else `s = shortcut_conv(a)` (1x1, strided; as in the reference implementation, the
 * projection reads the pre-activated input). Convs have no bias.
 * WRN-16-4: 2,748,890 trainable parameters; WRN-28-10: 36,479,194 (10 classes).
 *
 * Layers: `stem_conv`, `stage{s}_block{b}_{bn1,relu1,conv1,bn2,relu2,conv2,shortcut_conv,add}`,
 * `final_bn`, `final_relu`, `pool`, `head`. Blocks: `stem`, `stage{s}_block{b}`, `head` (which
 * holds `final_bn`, `final_relu`, `pool`, `head`).
 *
 * @param options - See {@link WideResNetOptions}.
 * @returns A functional `tf.LayersModel` with `samMeta` attached.
 * @throws If `depth` is not `6n + 4` or `widen` not a positive integer.
 *
 * @example
 * ```ts
 * const model = wideResNet({ depth: 16, widen: 4, numClasses: 10 });
 * model.trainableWeights.length; // 44: 17 kernels (16 conv + head), 26 BN gamma/beta, 1 head bias
 * ```
 */
export function wideResNet(options: WideResNetOptions): SamModel {
  const fn = "wideResNet";
  const { depth, widen, numClasses = 10, inputShape = [32, 32, 3], headActivation, seed = 1 } = options;
  if (!Number.isInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) {
    throw new Error(
      `${fn}: depth must be 6n + 4 with n >= 1 (16, 22, 28, 40, ...), got ${depth}. E.g. { depth: 16 }.`,
    );
  }
  checkPositiveInt(fn, "widen", widen);
  checkPositiveInt(fn, "numClasses", numClasses);
  checkShape(fn, "inputShape", inputShape, 3);
  const n = (depth - 4) / 6;
  const rec = new MetaRecorder(fn, seed);

  rec.block("stem");
  const input = tfl.input({ shape: inputShape, name: "input" });
  rec.add(input.sourceLayer);
  let x = conv(rec, "stem_conv", 16, 3).apply(input) as tfl.SymbolicTensor;
  let channels = 16;
  for (let s = 1; s <= 3; s++) {
    const c = 16 * widen * 2 ** (s - 1);
    for (let b = 1; b <= n; b++) {
      const p = `stage${s}_block${b}`;
      rec.block(p);
      const stride = s > 1 && b === 1 ? 2 : 1;
      const a = relu(rec, `${p}_relu1`).apply(batchNorm(rec, `${p}_bn1`).apply(x)) as tfl.SymbolicTensor;
      let y = conv(rec, `${p}_conv1`, c, 3, stride).apply(a) as tfl.SymbolicTensor;
      y = relu(rec, `${p}_relu2`).apply(batchNorm(rec, `${p}_bn2`).apply(y)) as tfl.SymbolicTensor;
      y = conv(rec, `${p}_conv2`, c, 3).apply(y) as tfl.SymbolicTensor;
      const shortcut =
        stride !== 1 || channels !== c
          ? (conv(rec, `${p}_shortcut_conv`, c, 1, stride).apply(a) as tfl.SymbolicTensor)
          : x;
      x = rec.add(tfl.layers.add({ name: `${p}_add` })).apply([y, shortcut]) as tfl.SymbolicTensor;
      channels = c;
    }
  }
  rec.block("head");
  x = relu(rec, "final_relu").apply(batchNorm(rec, "final_bn").apply(x)) as tfl.SymbolicTensor;
  x = rec.add(tfl.layers.globalAveragePooling2d({ name: "pool" })).apply(x) as tfl.SymbolicTensor;
  const logits = head(rec, numClasses, headActivation).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: logits, name: `wrn_${depth}_${widen}` });
  return Object.assign(model, { samMeta: rec.finish(["head"]) });
}

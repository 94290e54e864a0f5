import * as tf from "@tensorflow/tfjs-core";
import type { LayerLike } from "../params/collectParams";

/**
 * The part of a tfjs-layers `Conv2D` layer this module reads and overrides. Every field is
 * the layer's own (tfjs-layers 4.x `Conv`).
 */
interface Conv2DLayerLike extends LayerLike {
  /** 2 for `Conv2D` (1 and 3 for `Conv1D` and `Conv3D`, whose tfjs-layers path is unfused). */
  readonly rank: number;
  readonly kernel: { read(): tf.Tensor } | null;
  readonly bias: { read(): tf.Tensor } | null;
  readonly strides: number[];
  readonly padding: string;
  readonly dataFormat: "channelsFirst" | "channelsLast";
  readonly dilationRate: number | number[];
  readonly activation: { apply(x: tf.Tensor): tf.Tensor } | null;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: unknown): tf.Tensor | tf.Tensor[];
}

/**
 * Runs `fn` with the given tfjs-layers `Conv2D` layers computing through `tf.conv2d` (then
 * the bias and the activation as separate ops) instead of `tf.fused.conv2d`, and restores
 * their own `call` in `finally`. Layers that are not a rank-2 `Conv2D` are left alone.
 *
 * Why: tfjs-layers runs every `Conv2D` through `tf.fused.conv2d`, whose gradient is one
 * custom function that computes both dL/dx and dL/dW, so `tf.variableGrads(f, vars)`
 * computes every filter gradient even when `vars` holds none of the kernels. The plain op
 * `tf.conv2d` registers one gradient closure per input, and the engine calls only the
 * closures on a path from `vars` to the loss: with the layers split this way, a backward
 * pass asked for the normalization parameters only (SAM-ON's first pass) runs the input
 * gradients `Conv2DBackpropInput` and skips every `Conv2DBackpropFilter`.
 *
 * The split computes the same function: y = act(conv(x, W) + b), with x the input (NHWC;
 * `channelsFirst` layers transpose in and out as tfjs-layers does), W the kernel
 * `[kh, kw, c_in, c_out]`, b the bias (absent when `useBias` is false) and act the layer's
 * activation. Without a bias and with a linear activation (the usual conv before a
 * BatchNorm) the forward values are the same kernels' values; with a bias, the separate
 * addition may round differently in the last bit.
 *
 * @param layers Candidate layers (e.g. `params.layers`); only rank-2 `Conv2D` layers are split.
 * @param fn What to run with the split layers; its result is returned.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { collectParams, withSplitConvolutionGradients } from "@sam/core";
 *
 * const params = collectParams(model);
 * const norms = params.params.filter((p) => p.tags.has("norm")).map((p) => p.variable);
 * // gradients of the BatchNorm parameters only: no filter gradient is computed
 * const { grads } = withSplitConvolutionGradients(params.layers, () =>
 *   tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor), norms),
 * );
 * ```
 */
export function withSplitConvolutionGradients<T>(layers: readonly LayerLike[], fn: () => T): T {
  const convolutions = layers.filter(isConv2D);
  const previous = convolutions.map((layer) =>
    Object.hasOwn(layer, "call") ? { own: true, call: layer.call } : { own: false, call: undefined },
  );
  for (const layer of convolutions) {
    Object.defineProperty(layer, "call", {
      value: (inputs: tf.Tensor | tf.Tensor[]) => splitConv2D(layer, inputs),
      configurable: true,
      writable: true,
    });
  }
  try {
    return fn();
  } finally {
    convolutions.forEach((layer, i) => {
      const before = previous[i]!;
      if (before.own)
        Object.defineProperty(layer, "call", { value: before.call, configurable: true, writable: true });
      else delete (layer as { call?: unknown }).call;
    });
  }
}

/** Whether `layer` is a tfjs-layers `Conv2D` whose fused path this module can split. */
function isConv2D(layer: LayerLike): layer is Conv2DLayerLike {
  const c = layer as Partial<Conv2DLayerLike>;
  return (
    layer.getClassName() === "Conv2D" &&
    c.rank === 2 &&
    c.kernel != null &&
    typeof c.call === "function" &&
    Array.isArray(c.strides) &&
    (c.padding === "same" || c.padding === "valid") &&
    (c.dataFormat === "channelsLast" || c.dataFormat === "channelsFirst")
  );
}

/** y = act(conv2d(x, W) + b) with unfused ops: the engine then differentiates W only when asked. */
function splitConv2D(layer: Conv2DLayerLike, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => {
    if (Array.isArray(inputs) && inputs.length !== 1) {
      throw new Error(`Conv2D layer "${layer.name}" expects exactly one input tensor, got ${inputs.length}.`);
    }
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const channelsFirst = layer.dataFormat === "channelsFirst";
    const nhwc = (channelsFirst ? tf.transpose(x, [0, 2, 3, 1]) : x) as tf.Tensor4D;
    const dilations = (
      typeof layer.dilationRate === "number" ? [layer.dilationRate, layer.dilationRate] : layer.dilationRate
    ) as [number, number];
    let y: tf.Tensor = tf.conv2d(
      nhwc,
      layer.kernel!.read() as tf.Tensor4D,
      layer.strides as [number, number],
      layer.padding as "same" | "valid",
      "NHWC",
      dilations,
    );
    if (layer.bias) y = tf.add(y, layer.bias.read());
    if (layer.activation) y = layer.activation.apply(y);
    return channelsFirst ? tf.transpose(y, [0, 3, 1, 2]) : y;
  });
}

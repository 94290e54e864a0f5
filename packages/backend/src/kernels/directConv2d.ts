import * as tf from "@tensorflow/tfjs-core";
import { asTensor } from "../internal/asTensor";
import { type ConvGeometry, convGeometry } from "../internal/convGeometry";
import { convKernelHelperFor, convKernelModuleFor, splitWithHelper } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/** Below this many multiply-adds the second thread is not worth its hand-off. */
const MIN_SPLIT_MACS = 4e6;

/**
 * Forward 2-D convolution (NHWC) with an optional bias and ReLU, by the compiled SIMD kernel
 * `conv2d` of `kernels-c/convKernels.c`, in place on the wasm heap.
 *
 * Symbols: x [B, H, W, C], w [KH, KW, C, O], y [B, OH, OW, O], strides (s_h, s_w), pt/pl the zero
 * rows/columns added above/left, x = 0 outside the image:
 *
 *     y[b, p, q, o] = act(bias[o] + sum_{i, j, c} x[b, p*s_h + i - pt, q*s_w + j - pl, c] * w[i, j, c, o]),
 *
 * act the identity or max(0, .). The kernel keeps 4 output pixels x 8 output channels in eight
 * v128 registers over the sum of (i, j, c); per tap row i the (j, c) pairs are one contiguous
 * run of x and of w. Pixels at the image border (some taps outside) go one at a time.
 * On the threaded build the images are split with the helper thread, as in
 * {@link directFilterGradient}.
 *
 * Returns undefined when the module cannot run here, for dilations > 1, or when O is not a
 * multiple of 8 (then the caller uses tfjs's own kernel).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 4]);
 * const w = tf.randomNormal<tf.Rank.R4>([3, 3, 4, 8]);
 * // 3x3, stride 1, "same": one zero row above and one zero column left
 * const g = { batch: 2, inHeight: 8, inWidth: 8, outHeight: 8, outWidth: 8, filterHeight: 3, filterWidth: 3,
 *   strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1 };
 * const y = directConv2d(tf.backend(), x, w, g); // [2, 8, 8, 8], or undefined
 * ```
 */
export function directConv2d(
  backend: unknown,
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  g: ConvGeometry,
  bias?: tf.Tensor,
  relu = false,
  split: "auto" | "never" | "always" = "auto",
): tf.Tensor4D | undefined {
  const be = backend as DisposingWasmBackend;
  const o = w.shape[3];
  if (
    x.dtype !== "float32" ||
    w.dtype !== "float32" ||
    (bias && (bias.dtype !== "float32" || bias.size !== o))
  ) {
    return undefined;
  }
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1 || o % 8 !== 0) return undefined;
  const m = convKernelModuleFor(be);
  if (!m) return undefined;
  const c = x.shape[3];
  const { batch, outHeight, outWidth, filterHeight: kh, filterWidth: kw } = g;
  const out = be.makeOutput([batch, outHeight, outWidth, o], "float32");
  const geometry = [
    g.inHeight,
    g.inWidth,
    c,
    outHeight,
    outWidth,
    o,
    kh,
    kw,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
  ];
  const tail = [bias ? heapOffset(be, bias) : 0, relu ? 1 : 0];
  const xp = heapOffset(be, x);
  // the filter packed by blocks of 8 output channels (contiguous columns for the kernel)
  const packed = be.makeOutput(w.shape, "float32");
  const wp = heapOffset(be, packed);
  m.kernels.packFilter(heapOffset(be, w), wp, kh * kw, c, o, 0);
  const outp = heapOffset(be, out);
  const macs = batch * outHeight * outWidth * kh * kw * c * o;
  const wanted = split === "always" || (split === "auto" && macs >= MIN_SPLIT_MACS);
  const helper = wanted && batch >= 2 ? convKernelHelperFor(m) : undefined;
  try {
    if (!helper) {
      m.kernels.conv2d(xp, wp, outp, 0, batch, ...geometry, ...tail);
    } else {
      const half = batch >> 1;
      // the worker reads the packed filter and writes out until it is done
      splitWithHelper(
        m,
        helper,
        "conv2d",
        [xp, wp, outp, 0, half, ...geometry, ...tail],
        [xp, wp, outp, half, batch, ...geometry, ...tail],
        10_000 + macs / 5e4,
      );
    }
  } catch (e) {
    be.disposeData(out.dataId);
    throw e;
  } finally {
    be.disposeData(packed.dataId);
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

let directEnabled = true;

/**
 * Turns the direct forward kernel of {@link makeConv2dConfig} on (default) or off (then tfjs's
 * own kernel runs), so that a benchmark can compare both in one process. Internal.
 *
 * @example
 * ```ts
 * setDirectConv2d(false); // ... time a step on XNNPACK ...
 * setDirectConv2d(true);
 * ```
 */
export function setDirectConv2d(enabled: boolean): void {
  directEnabled = enabled;
}

/**
 * `Conv2D` or `FusedConv2D` for the wasm backend: {@link directConv2d} for NHWC, no dilation,
 * O % 8 = 0, and (fused) a bias of O values and a linear or ReLU activation; everything else
 * goes to `native`, tfjs-wasm's own kernel (XNNPACK).
 *
 * @example
 * ```ts
 * tf.registerKernel(makeConv2dConfig(tf.getKernel("FusedConv2D", "wasm")!, "FusedConv2D"));
 * ```
 */
export function makeConv2dConfig(native: tf.KernelConfig, name: "Conv2D" | "FusedConv2D"): tf.KernelConfig {
  return {
    ...native, // keeps tfjs-wasm's setupFunc (its cwrap of the native kernel)
    kernelName: name,
    backendName: "wasm",
    kernelFunc: (args) => {
      const { inputs, attrs, backend } = args;
      const a = attrs as unknown as tf.FusedConv2DAttrs;
      const activation = a.activation ?? "linear";
      const direct =
        directEnabled &&
        (a.dataFormat ?? "NHWC") === "NHWC" &&
        (activation === "linear" || activation === "relu") &&
        !inputs.preluActivationWeights;
      const y = direct ? tf.tidy(() => tryDirect(name, inputs, a, backend)) : undefined;
      return y ?? (native.kernelFunc(args) as tf.TensorInfo);
    },
  };
}

function tryDirect(
  name: string,
  inputs: tf.NamedTensorInfoMap,
  a: tf.FusedConv2DAttrs,
  backend: unknown,
): tf.Tensor4D | undefined {
  {
    const x = asTensor(inputs.x!) as tf.Tensor4D;
    const w = asTensor(inputs.filter!) as tf.Tensor4D;
    const dil = a.dilations ?? 1;
    if (x.rank === 4 && w.rank === 4 && (dil === 1 || (Array.isArray(dil) && dil.every((d) => d === 1)))) {
      const g = convGeometry({
        kernelName: name,
        xShape: x.shape,
        filterShape: w.shape,
        strides: a.strides,
        pad: a.pad,
        dimRoundingMode: a.dimRoundingMode,
        depthwise: false,
      });
      const bias = inputs.bias ? asTensor(inputs.bias) : undefined;
      return directConv2d(backend, x, w, g, bias, a.activation === "relu");
    }
  }
  return undefined;
}

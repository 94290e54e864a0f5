import * as tf from "@tensorflow/tfjs-core";
import type { ConvGeometry } from "../internal/convGeometry";
import { convKernelHelperFor, convKernelModuleFor, splitWithHelper } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/** Output pixels a block of the direct kernel aims at (R = ceil(64 / OW) output rows of one image). */
const BLOCK_PIXELS = 64;
/** Below this many multiply-adds the second thread is not worth its hand-off. */
const MIN_SPLIT_MACS = 4e6;

/**
 * Filter gradient of a 2-D convolution (NHWC) straight from x and dy in the wasm heap, with the
 * compiled SIMD kernel `kernels-c/convKernels.c`: no im2col copy, no scratch but dW.
 *
 * Symbols: x [B, H, W, C], dy [B, OH, OW, O], filter [KH, KW, C, O], strides (s_h, s_w), pt/pl
 * the zero rows/columns added above/left; with x = 0 outside the image,
 *
 *     dW[i, j, c, o] = sum_{b, p, q} x[b, p*s_h + i - pt, q*s_w + j - pl, c] * dy[b, p, q, o].
 *
 * The kernel keeps a 4 (c) x 8 (o) block of dW in eight v128 registers while it runs over a block
 * of R output rows of one image (R*OW ~ 64 pixels, whose x and dy rows stay in L1), and for each
 * tap only over the rows and columns whose input pixel is inside the image.
 *
 * Threads: when the heap is shared (the threaded build) and `@sam/backend/node` installed a
 * helper, the images are split in two: the helper thread sums images [B/2, B) into a partial dW
 * while this thread sums [0, B/2) into the output, then dW += partial.
 *
 * `split`: "auto" uses the helper thread for jobs of at least 4e6 multiply-adds, "always" for
 * any batch of 2 or more (tests), "never" not at all.
 *
 * Returns undefined when the compiled module cannot run here (then use the im2col path).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal<tf.Rank.R4>([2, 9, 9, 8]); // [B, H, W, C]
 * const dy = tf.randomNormal<tf.Rank.R4>([2, 5, 5, 16]); // [B, OH, OW, O]
 * const geometry = { batch: 2, inHeight: 9, inWidth: 9, outHeight: 5, outWidth: 5, filterHeight: 3,
 *   filterWidth: 3, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1 };
 * const dW = directFilterGradient(tf.backend(), x, dy, geometry, 16); // [3, 3, 8, 16], or undefined
 * ```
 */
export function directFilterGradient(
  backend: unknown,
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  outChannels: number,
  split: "auto" | "never" | "always" = "auto",
): tf.Tensor4D | undefined {
  const be = backend as DisposingWasmBackend;
  if (x.dtype !== "float32" || dy.dtype !== "float32") return undefined;
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1) return undefined;
  const m = convKernelModuleFor(be);
  if (!m) return undefined;
  const c = x.shape[3];
  const { batch, inHeight, inWidth, outHeight, outWidth, filterHeight: kh, filterWidth: kw } = g;
  const shape: [number, number, number, number] = [kh, kw, c, outChannels];
  const out = be.makeOutput(shape, "float32");
  const rows = Math.max(1, Math.ceil(BLOCK_PIXELS / outWidth));
  const geometry = [
    inHeight,
    inWidth,
    c,
    outHeight,
    outWidth,
    outChannels,
    kh,
    kw,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
    rows,
    1,
  ];
  const xp = heapOffset(be, x);
  const dyp = heapOffset(be, dy);
  const outp = heapOffset(be, out);
  const macs = batch * outHeight * outWidth * kh * kw * c * outChannels;
  const wanted = split === "always" || (split === "auto" && macs >= MIN_SPLIT_MACS);
  const helper = wanted && batch >= 2 ? convKernelHelperFor(m) : undefined;
  if (!helper) {
    m.kernels.filterGradient(xp, dyp, outp, 0, batch, ...geometry);
  } else {
    const half = batch >> 1;
    const partial = be.makeOutput(shape, "float32");
    try {
      // the worker writes into partial until it is done: waited for before anything is freed
      // (generous: 10 s plus the whole job at 0.1 GFLOP/s)
      splitWithHelper(
        m,
        helper,
        "filterGradient",
        [xp, dyp, outp, 0, half, ...geometry],
        [xp, dyp, heapOffset(be, partial), half, batch, ...geometry],
        10_000 + macs / 5e4,
      );
      m.kernels.addInto(outp, heapOffset(be, partial), kh * kw * c * outChannels);
    } catch (e) {
      be.disposeData(out.dataId);
      throw e;
    } finally {
      be.disposeData(partial.dataId);
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}

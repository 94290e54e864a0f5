/**
 * Bench-only speed-up: the cpu backend's `Conv2DBackpropFilter` is a slow reference loop (2.2 s of
 * a 2.5 s small-conv-net step, batch 32 at 16x16). This replaces it, for the cpu backend of this
 * process only, with the forward-convolution trick of `@sam/backend` (toolchain spec section 2.5):
 *
 *   dW[i, j, c, o] = sum_{b, p, q} x_pad[b, p s + i, q s + j, c] dy[b, p, q, o],
 *
 * a forward conv with the input channels as the batch, the batch as the channels, dy as the
 * filter and dilation = stride. Not part of the library.
 */
import * as tf from "@tensorflow/tfjs";

export function useFastCpuConvFilterGrad(): void {
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "cpu",
    kernelFunc: ({ inputs, attrs }) =>
      tf.tidy(() => {
        const asTensor = (t: tf.TensorInfo) =>
          t instanceof tf.Tensor ? t : tf.engine().makeTensorFromTensorInfo(t);
        const x = asTensor(inputs.x as tf.TensorInfo) as tf.Tensor4D;
        const dy = asTensor(inputs.dy as tf.TensorInfo) as tf.Tensor4D;
        const { strides, pad, dimRoundingMode, filterShape, dataFormat } = attrs as unknown as {
          strides: [number, number] | number;
          pad: "same" | "valid" | number;
          dimRoundingMode?: "floor" | "round" | "ceil";
          filterShape: [number, number, number, number];
          dataFormat: "NHWC" | "NCHW";
        };
        if (dataFormat === "NCHW") throw new Error("fastCpuConvGrad: NCHW is not supported.");
        const [fh, fw, c, o] = filterShape;
        const ci = tf.backend_util.computeConv2DInfo(
          x.shape,
          filterShape,
          strides,
          1,
          pad,
          dimRoundingMode,
          false,
          "channelsLast",
        );
        const { top, bottom, left, right } = ci.padInfo;
        const r = tf.conv2d(
          tf.transpose(x, [3, 1, 2, 0]),
          tf.transpose(dy, [1, 2, 0, 3]),
          1,
          [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          "NHWC",
          [ci.strideHeight, ci.strideWidth],
        );
        return tf.transpose(tf.slice(r, [0, 0, 0, 0], [c, fh, fw, o]), [1, 2, 0, 3]);
      }) as tf.TensorInfo,
  });
}

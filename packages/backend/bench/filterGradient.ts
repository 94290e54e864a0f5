// Per-layer filter gradient of ResNet-20's 3x3 layers (batch 128) on wasm, in one process:
// the im2col path, the direct compiled kernel, and the forward convolution of the same layer
// (XNNPACK's and the direct compiled one).
// Usage (from packages/backend): npx tsx --conditions=@sam/source bench/filterGradient.ts [threads] [batch] [wrn]
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingGradients, registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "../src/index";
import { convGeometry } from "../src/internal/convGeometry";
import { conv2dBackpropInput } from "../src/kernels/conv2dBackpropInput";
import { directConv2d } from "../src/kernels/directConv2d";
import { directConv2dBackpropInput } from "../src/kernels/directConv2dBackpropInput";
import { directFilterGradient } from "../src/kernels/directFilterGradient";
import { im2colFilterGradient } from "../src/kernels/im2colFilterGradient";
import { initWasmWithThreads } from "../src/node/index";

const threads = Number(process.argv[2] ?? 1);
const batch = Number(process.argv[3] ?? 128);
if (threads > 1) console.log(JSON.stringify(await initWasmWithThreads(threads)));
await tf.setBackend("wasm");
await tf.ready();
// Conv2D stays tfjs-wasm's own (XNNPACK), to compare with the direct forward kernel (and the
// input gradient's old form, a forward convolution, runs on XNNPACK as before)
registerWasmTrainingKernels({ only: WASM_TRAINING_KERNELS.filter((k) => k !== "Conv2D") });
registerTrainingGradients();
/** [H, C, O, stride, OH]: ResNet-20's layers, or WRN-16-4's with a 4th argument "wrn". */
const wrn: [number, number, number, number, number][] = [
  [32, 16, 64, 1, 32],
  [32, 64, 64, 1, 32],
  [32, 64, 128, 2, 16],
  [16, 128, 128, 1, 16],
  [16, 128, 256, 2, 8],
  [8, 256, 256, 1, 8],
];
const shapes: [number, number, number, number, number][] =
  process.argv[4] === "wrn"
    ? wrn
    : [
        [32, 3, 16, 1, 32],
        [32, 16, 16, 1, 32],
        [32, 16, 32, 2, 16],
        [16, 32, 32, 1, 16],
        [16, 32, 64, 2, 8],
        [8, 64, 64, 1, 8],
      ];
const best = (f: () => tf.Tensor): number => {
  let ms = 1e9;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = f(); // wasm kernels are synchronous: no read-back (8 MB of dataSync took ~24 ms)
    ms = Math.min(ms, performance.now() - t0);
    r.dispose();
  }
  return ms;
};
for (const [h, c, o, s, oh] of shapes) {
  const x = tf.randomNormal([batch, h, h, c]) as tf.Tensor4D;
  const dy = tf.randomNormal([batch, oh, oh, o]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, c, o]) as tf.Tensor4D;
  const g = convGeometry({
    kernelName: "bench",
    xShape: x.shape,
    filterShape: [3, 3, c, o],
    strides: s,
    pad: "same",
    depthwise: false,
  });
  const im2col = () => im2colFilterGradient(tf.backend(), x, dy, g, o)!;
  const direct = () => directFilterGradient(tf.backend(), x, dy, g, o)!;
  const direct1 = () => directFilterGradient(tf.backend(), x, dy, g, o, "never")!;
  const a = im2col();
  const b = direct();
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(a)).dataSync()[0]!);
  tf.dispose([a, b]);
  const row = {
    h,
    c,
    o,
    s,
    im2col_ms: +best(im2col).toFixed(1),
    direct_ms: +best(direct).toFixed(1),
    direct_1thread_ms: +best(direct1).toFixed(1),
    forward_xnnpack_ms: +best(
      () =>
        tf
          .engine()
          .runKernel(
            "Conv2D",
            { x, filter: w },
            { strides: s, pad: "same", dataFormat: "NHWC", dilations: 1 },
          ) as tf.Tensor,
    ).toFixed(1),
    forward_direct_ms: +best(() => directConv2d(tf.backend(), x, w, g)!).toFixed(1),
    forward_direct_1thread_ms: +best(
      () => directConv2d(tf.backend(), x, w, g, undefined, false, "never")!,
    ).toFixed(1),
    forward_diff: tf.tidy(() => {
      const r = tf
        .engine()
        .runKernel(
          "Conv2D",
          { x, filter: w },
          { strides: s, pad: "same", dataFormat: "NHWC", dilations: 1 },
        ) as tf.Tensor;
      const d = directConv2d(tf.backend(), x, w, g)!;
      return tf.max(tf.abs(tf.sub(r, d))).dataSync()[0]! / tf.max(tf.abs(r)).dataSync()[0]!;
    }),
    rel_diff: diff,
    dx_old_ms: +best(() => conv2dBackpropInput([batch, h, h, c], dy, w, s, "same")).toFixed(1),
    dx_direct_ms:
      c % 8 === 0 ? +best(() => directConv2dBackpropInput(tf.backend(), dy, w, g)!).toFixed(1) : null,
    dx_diff:
      c % 8 === 0
        ? tf.tidy(() => {
            const r = conv2dBackpropInput([batch, h, h, c], dy, w, s, "same");
            const d = directConv2dBackpropInput(tf.backend(), dy, w, g)!;
            return tf.max(tf.abs(tf.sub(r, d))).dataSync()[0]! / tf.max(tf.abs(r)).dataSync()[0]!;
          })
        : null,
  };
  console.log(JSON.stringify(row));
  tf.dispose([x, dy, w]);
}

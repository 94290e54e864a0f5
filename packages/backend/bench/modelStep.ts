/**
 * One training configuration, in its own process (the tfjs backend is global, and the wasm heap
 * never shrinks, so its size after the run is the run's high-water mark):
 *   tsx --conditions=@sam/source bench/modelStep.ts <model> <sgd|sam> <batch> [steps] [wasm|tensorflow] [--profile]
 * model: resnet20 | wrn16-4 | wrn28-10 | vit (a small ViT: 32x32 images, 4x4 patches, d 64, 4 blocks, 4 heads).
 * Optimizers are @sam/core's, as a user would build them: momentum SGD (lr 0.05, momentum 0.9,
 * weight decay 5e-4) and SAM (rho 0.05) over it. With steps = 1 the one step is timed; with more,
 * the first is a warm-up and the best of the others is reported.
 * Prints one JSON line: { model, optimizer, backend, batch, ok, step_ms, images_per_s,
 * peak_heap_mb, peak_live_mb, rss_mb, error? }:
 *   peak_heap_mb: the wasm memory's size at the end (the high-water mark plus allocator slack),
 *   peak_live_mb: the most bytes the backend had allocated at once (tensors and kernel
 *     temporaries; XNNPACK's small internal buffers excluded), rss_mb: the process's resident memory.
 * --compare-im2col (wasm): the steps alternate between the direct filter gradient and its im2col
 * fallback (the first step of each a warm-up); also prints im2col_step_ms and direct_over_im2col.
 * --compare-conv (wasm): the same with the direct forward convolution (Conv2D, FusedConv2D) against
 * XNNPACK's (im2col_step_ms then means "the previous path's step", here XNNPACK's convolutions).
 * --compare-dx (wasm): the same with the direct input gradient against its forward-convolution form.
 * --compare-all (wasm): all three direct kernels against their previous paths at once.
 * --threads=N (wasm): N threads (the experimental shim). With --time (wasm or tensorflow), also the self time of each kernel per step (after the warm-up when steps > 1). With --profile (wasm), also the kernels during which the live bytes reached a new high (16 MB steps).
 */
import { collectParams, GroupedOptimizer, sam, sgd } from "@sam/core";
import { cifarResNet, vit, wideResNet } from "@sam/models";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingGradients, registerWasmTrainingKernels, wasmHeapStats } from "../src/index";
import { setFilterGradientPath } from "../src/kernels/conv2dBackpropFilter";
import { setDirectInputGradient } from "../src/kernels/conv2dBackpropInput";
import { setDirectConv2d } from "../src/kernels/directConv2d";
import { initWasmWithThreads } from "../src/node/index";

const MB = 2 ** 20;

function buildModel(name: string): tf.LayersModel {
  switch (name) {
    case "resnet20":
      return cifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 3], seed: 1 }) as never;
    case "wrn16-4":
      return wideResNet({ depth: 16, widen: 4 }) as never;
    case "wrn28-10":
      return wideResNet({ depth: 28, widen: 10 }) as never;
    case "vit":
      return vit({ imageSize: 32, patchSize: 4, dim: 64, depth: 4, heads: 4, numClasses: 10 }) as never;
    default:
      throw new Error(`modelStep: unknown model '${name}'; use resnet20, wrn16-4, wrn28-10 or vit.`);
  }
}

/**
 * Re-registers every wasm kernel as itself followed by `after(kernel name, self ms, args)`; self
 * time excludes the kernels it calls (a kernel of this package runs others inside).
 */
function wrapKernels(
  after: (name: string, selfMs: number, args: Parameters<tf.KernelFunc>[0]) => void,
  backendName = "wasm",
): void {
  const stack: number[] = [];
  for (const k of tf.getKernelsForBackend(backendName)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (a) => {
        stack.push(0);
        const t0 = performance.now();
        const r = inner(a);
        const dt = performance.now() - t0;
        const child = stack.pop()!;
        if (stack.length) stack[stack.length - 1]! += dt;
        after(k.kernelName, dt - child, a);
        return r;
      },
    });
  }
}

/** Records the kernels at which the live bytes reached a new high (in steps of 16 MB). */
function profileHighs(highs: { kernel: string; live_mb: number }[]): void {
  let lastHigh = 0;
  wrapKernels((name) => {
    const peak = wasmHeapStats(tf.backend())!.peakLiveBytes;
    if (peak > lastHigh + 16 * MB) {
      lastHigh = peak;
      highs.push({ kernel: name, live_mb: Math.round(peak / MB) });
    }
  });
}

/** Forgets the kernel times so far (after the warm-up step). */
let resetTimes = () => {};

/**
 * Times every kernel of `backendName`; returns the table printer (self ms per step, calls).
 * BENCH_SHAPES=A,B (or `all`) also prints, per step, the self time of kernels A and B split by
 * input shapes and attributes (the rows over 0.5 ms).
 */
function timeKernels(steps: () => number, backendName = "wasm"): () => void {
  const self = new Map<string, number>();
  const calls = new Map<string, number>();
  const byShape = new Map<string, { ms: number; calls: number }>();
  const shapesOf = process.env.BENCH_SHAPES?.split(",") ?? [];
  wrapKernels((name, ms, a) => {
    if (shapesOf.includes(name) || shapesOf.includes("all")) {
      const key = `${name} ${JSON.stringify(Object.values(a.inputs).map((t) => (t as tf.TensorInfo | undefined)?.shape))} ${JSON.stringify(a.attrs ?? {})}`;
      const row = byShape.get(key) ?? { ms: 0, calls: 0 };
      row.ms += ms;
      row.calls++;
      byShape.set(key, row);
    }
    self.set(name, (self.get(name) ?? 0) + ms);
    calls.set(name, (calls.get(name) ?? 0) + 1);
  }, backendName);
  resetTimes = () => {
    self.clear();
    calls.clear();
    byShape.clear();
  };
  return () => {
    const n = steps();
    for (const [key, row] of [...byShape.entries()].sort((a, b) => b[1].ms - a[1].ms))
      if (row.ms / n > 0.5)
        console.log(
          `${(row.ms / n).toFixed(1).padStart(7)} ms ${(row.calls / n).toFixed(0).padStart(4)}x  ${key}`,
        );
    for (const [name, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25))
      console.log(
        `${name.padEnd(28)} ${(ms / n).toFixed(1).padStart(8)} ms ${(calls.get(name)! / n).toFixed(0).padStart(6)} calls`,
      );
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const profile = process.argv.includes("--profile");
  const [modelName = "wrn16-4", optimizerName = "sgd", batchArg = "128", stepsArg = "1", backend = "wasm"] =
    args;
  const batch = Number(batchArg);
  const steps = Number(stepsArg);
  if (backend === "tensorflow") {
    await import("@tensorflow/tfjs-node" as string);
    registerTrainingGradients();
    if (!(await tf.setBackend("tensorflow")))
      throw new Error("tfjs-node loaded but 'tensorflow' did not start");
  } else {
    registerWasmTrainingKernels();
    registerTrainingGradients();
    const threads = Number(process.argv.find((a) => a.startsWith("--threads="))?.slice(10) ?? 1);
    if (threads > 1) await initWasmWithThreads(threads);
    else await tf.setBackend("wasm");
    wasmHeapStats(tf.backend()); // guard the heap and count from here
  }
  const highs: { kernel: string; live_mb: number }[] = [];
  if (profile && backend === "wasm") profileHighs(highs);
  let printTimes: (() => void) | undefined;
  if (process.argv.includes("--time")) printTimes = timeKernels(() => Math.max(1, steps - 1), backend);
  const model = buildModel(modelName);
  const params = collectParams(model as never);
  const hyper = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 };
  const optimizer =
    optimizerName === "sam"
      ? sam({ params, rule: sgd(), defaults: hyper, rho: 0.05 })
      : new GroupedOptimizer({ params, rule: sgd(), defaults: hyper });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, "float32", 2);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", 3) as tf.Tensor1D, 10);
  const loss = () =>
    tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  const result: Record<string, unknown> = { model: modelName, optimizer: optimizerName, backend, batch };
  let rss = 0;
  const times: number[] = [];
  const all = process.argv.includes("--compare-all");
  const compareConv = all || process.argv.includes("--compare-conv");
  const compareDx = all || process.argv.includes("--compare-dx");
  const compareFg = all || process.argv.includes("--compare-im2col");
  const compare = (compareConv || compareDx || compareFg) && backend === "wasm";
  const im2colTimes: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      if (compare && compareConv) setDirectConv2d(i % 2 === 0);
      if (compare && compareDx) setDirectInputGradient(i % 2 === 0);
      if (compare && compareFg) setFilterGradientPath(i % 2 === 0 ? "direct" : "im2col");
      const t0 = performance.now();
      const value = optimizer.minimize(loss, true)!;
      value.dataSync();
      value.dispose();
      (compare && i % 2 === 1 ? im2colTimes : times).push(performance.now() - t0);
      if (i === 0 && steps > 1) resetTimes();
      rss = Math.max(rss, process.memoryUsage().rss);
    }
    const best = Math.min(...(times.length > 1 ? times.slice(1) : times));
    result.ok = true;
    result.step_ms = Math.round(best);
    result.images_per_s = (batch * 1000) / best;
    if (compare && im2colTimes.length > 1) {
      const baseline = Math.min(...im2colTimes.slice(1));
      result.im2col_step_ms = Math.round(baseline);
      result.direct_over_im2col = +(baseline / best).toFixed(3);
    }
  } catch (error) {
    result.ok = false;
    result.error = `${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`;
  }
  const stats = backend === "wasm" ? wasmHeapStats(tf.backend()) : undefined;
  if (stats) {
    result.peak_heap_mb = Math.round(stats.heapBytes / MB);
    result.peak_live_mb = Math.round(stats.peakLiveBytes / MB);
  }
  result.rss_mb = Math.round(Math.max(rss, process.memoryUsage().rss) / MB);
  printTimes?.();
  for (const h of highs) console.log(`${h.kernel.padEnd(28)} ${h.live_mb} MB`);
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Peak memory of one training step on wasm, run in its own process (the wasm heap never shrinks):
 *   tsx --conditions=@sam/source bench/memoryStep.ts <wrn16-4|wrn28-10|resnet20> <sgd|sam> <batch> [steps] [--profile]
 * Prints one JSON line: { model, optimizer, batch, ok, step_ms, peak_heap_mb, peak_live_mb, rss_mb, error? }.
 *   peak_heap_mb: the wasm memory's size after the steps (it only grows: the step's high-water mark
 *     plus allocator slack), peak_live_mb: the most bytes the backend had allocated at once (every
 *     tensor and kernel temporary; XNNPACK's small internal buffers excluded), rss_mb: resident memory.
 * With --profile, also a table of the kernels during which the live bytes reached a new high.
 */
import { collectParams, GroupedOptimizer, sam, sgd } from "@sam/core";
import { cifarResNet, wideResNet } from "@sam/models";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingGradients, registerWasmTrainingKernels, wasmHeapStats } from "../src/index";

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const profile = process.argv.includes("--profile");
  const [modelName = "wrn16-4", optimizerName = "sgd", batchArg = "128", stepsArg = "1"] = args;
  const batch = Number(batchArg);
  registerWasmTrainingKernels();
  registerTrainingGradients();
  await tf.setBackend("wasm");
  wasmHeapStats(tf.backend()); // guard the heap and count from here
  const highs: { kernel: string; live_mb: number }[] = [];
  let lastHigh = 0;
  if (profile) {
    for (const k of tf.getKernelsForBackend("wasm")) {
      const inner = k.kernelFunc;
      tf.unregisterKernel(k.kernelName, "wasm");
      tf.registerKernel({
        ...k,
        kernelFunc: (a) => {
          const r = inner(a);
          const peak = wasmHeapStats(tf.backend())!.peakLiveBytes;
          if (peak > lastHigh + 16 * 2 ** 20) {
            lastHigh = peak;
            highs.push({ kernel: k.kernelName, live_mb: Math.round(peak / 2 ** 20) });
          }
          return r;
        },
      });
    }
  }
  const model = (modelName === "resnet20"
    ? cifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 3], seed: 1 })
    : wideResNet({
        depth: modelName === "wrn28-10" ? 28 : 16,
        widen: modelName === "wrn28-10" ? 10 : 4,
      })) as unknown as tf.LayersModel;
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
  const stats0 = wasmHeapStats(tf.backend())!;
  const result: Record<string, unknown> = {
    model: modelName,
    optimizer: optimizerName,
    batch,
    params_mb: Math.round(stats0.liveBytes / 2 ** 20),
  };
  let rss = 0;
  const times: number[] = [];
  try {
    for (let i = 0; i < Number(stepsArg); i++) {
      const t0 = performance.now();
      const value = optimizer.minimize(loss, true)!;
      value.dataSync();
      value.dispose();
      times.push(performance.now() - t0);
      rss = Math.max(rss, process.memoryUsage().rss);
    }
    result.ok = true;
    result.step_ms = Math.round(Math.min(...times));
  } catch (error) {
    result.ok = false;
    result.error = `${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`;
  }
  const stats = wasmHeapStats(tf.backend())!;
  result.peak_heap_mb = Math.round(stats.heapBytes / 2 ** 20);
  result.peak_live_mb = Math.round(stats.peakLiveBytes / 2 ** 20);
  result.rss_mb = Math.round(Math.max(rss, process.memoryUsage().rss) / 2 ** 20);
  if (profile) for (const h of highs) console.log(`${h.kernel.padEnd(28)} ${h.live_mb} MB`);
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

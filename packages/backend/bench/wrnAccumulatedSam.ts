/**
 * One SAM step of a wide ResNet at a large batch through gradient accumulation, on wasm
 * (issue 19's target: WRN-28-10 with SAM at batch 128):
 *   tsx --conditions=@sam/source bench/wrnAccumulatedSam.ts [batch=128] [micro=16] [depth=28] [widen=10]
 * The batch is split into batch / micro micro-batches (`chunkedLoss`); `samOracle`'s
 * `accumulation: 'global'` takes one e from the mean first-pass gradient and averages the
 * micro-batches' gradients at w + e: SAM on the whole batch (up to BatchNorm's per-micro
 * statistics). Momentum SGD (lr 0.05, momentum 0.9, weight decay 5e-4), rho 0.05.
 * Prints one JSON line: { ok, model, batch, micro_batch, step_ms, peak_heap_mb, peak_live_mb,
 * rss_mb, error? } (peak_* as in bench/modelStep.ts). Run it as `pnpm --filter @sam/backend
 * bench:wrn-sam [batch] [micro]` (it lived in @sam/core, which cannot depend on this package).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { chunkedLoss, collectParams, sam, sgd } from "@sam/core";
import { wideResNet } from "@sam/models";
import { registerTrainingGradients, registerWasmTrainingKernels, wasmHeapStats } from "../src/index";

const MB = 2 ** 20;

async function main(): Promise<void> {
  const [batch = 128, micro = 16, depth = 28, widen = 10] = process.argv.slice(2).map(Number);
  registerWasmTrainingKernels();
  registerTrainingGradients();
  await tf.setBackend("wasm");
  wasmHeapStats(tf.backend()); // guard the heap and count from here
  const model = wideResNet({ depth, widen }) as unknown as tf.LayersModel;
  const params = collectParams(model as never);
  const optimizer = sam({
    params,
    rule: sgd(),
    defaults: { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
    rho: 0.05,
    accumulation: "global",
  });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, "float32", 2);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", 3) as tf.Tensor1D, 10);
  const loss = chunkedLoss(
    [x, y],
    micro,
    (cx, cy) =>
      tf.losses.softmaxCrossEntropy(cy!, model.apply(cx!, { training: true }) as tf.Tensor) as tf.Scalar,
  );
  const result: Record<string, unknown> = { model: `wrn${depth}-${widen}`, batch, micro_batch: micro };
  const t0 = performance.now();
  try {
    const value = optimizer.minimize(loss, true)!;
    value.dataSync();
    value.dispose();
    result.ok = true;
    result.step_ms = Math.round(performance.now() - t0);
  } catch (error) {
    result.ok = false;
    result.error = `${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`;
  }
  const stats = wasmHeapStats(tf.backend())!;
  result.peak_heap_mb = Math.round(stats.heapBytes / MB);
  result.peak_live_mb = Math.round(stats.peakLiveBytes / MB);
  result.rss_mb = Math.round(process.memoryUsage().rss / MB);
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

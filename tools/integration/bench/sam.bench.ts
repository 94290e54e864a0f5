/**
 * pnpm bench:sam: step time of SAM and SAM-ON on a CIFAR ResNet-20 on the default backend.
 *
 *   sam_over_2sgd  = SAM step time / (2 x SGD step time)      (PyTorch here: 0.94)
 *   samon_over_sam = SAM-ON step time / SAM step time          (PyTorch: 1.12 as the public
 *                    SAM-ON code does it, 0.93 with a pruned first backward; we prune it)
 *
 *   looksam_over_sgd = LookSAM (k = 5) step time, averaged over 5 consecutive steps, / SGD step time
 *   msam_over_sgd    = momentum-SAM step time / SGD step time
 *   esam_over_sam    = ESAM (beta = gamma = 0.5, per-example losses) step time / SAM step time
 *   aesam_over_sgd   = AE-SAM (c = 0) step time, averaged over 5 consecutive steps, / SGD step
 *                      time; aesam_sam_fraction is the share of its steps that were SAM steps
 *
 * The optimizers run interleaved in one process on the same model and batch, several
 * rounds; each figure is the ratio of the best (shortest) step times: other processes on a
 * shared machine only ever slow a step down, so the minimum is the most repeatable
 * estimate. Medians are printed too. On a loaded machine wall-clock times still vary
 * several-fold, so each figure is also given from this process's CPU time
 * (`process.cpuUsage`, all its threads), `cpu_*`, which other processes barely move: the
 * figures to quote when the load average exceeds the core count. The last line is one JSON
 * object.
 */

import { loadavg } from "node:os";
import { setupBackend } from "@sam/backend";
import {
  aeSamOracle,
  collectParams,
  esamOracle,
  GroupedOptimizer,
  lookSamOracle,
  momentumSamOracle,
  perSampleLoss,
  sam,
  samOn,
  sgd,
} from "@sam/core";
import { cifarResNet } from "@sam/models";
import * as tf from "@tensorflow/tfjs";

const batch = Number(process.env.SAM_BENCH_BATCH ?? 64);
const rounds = Number(process.env.SAM_BENCH_ROUNDS ?? 5);

const choice = await setupBackend({ log: (line) => console.log(line) });
const model = cifarResNet({
  depth: 20,
  numClasses: 10,
  inputShape: [32, 32, 3],
  seed: 1,
}) as unknown as tf.LayersModel;
const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, "float32", 2);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", 3) as tf.Tensor1D, 10);
const loss = () =>
  tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
const perExample = perSampleLoss(
  [x, y],
  (xb, yb) =>
    tf.losses.softmaxCrossEntropy(
      yb!,
      model.apply(xb!, { training: true }) as tf.Tensor,
      undefined,
      undefined,
      tf.Reduction.NONE,
    ) as tf.Tensor1D,
);
const aeSam = aeSamOracle({ rho: 0.05, c: 0 });
let aeSamSteps = 0;
let aeSamSamSteps = 0;
const hyper = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 };
const params = collectParams(model as never);
const optimizers: Record<string, GroupedOptimizer> = {
  sgd: new GroupedOptimizer({ params, rule: sgd(), defaults: hyper }),
  sam: sam({ params, rule: sgd(), defaults: hyper, rho: 0.05 }),
  samOn: samOn({ params, rule: sgd(), defaults: hyper, rho: 0.5 }),
  lookSam: new GroupedOptimizer({
    params,
    rule: sgd(),
    defaults: hyper,
    oracle: lookSamOracle({ rho: 0.05, k: 5, alpha: 0.7 }),
  }),
  mSam: new GroupedOptimizer({
    params,
    rule: sgd(),
    defaults: hyper,
    oracle: momentumSamOracle({ rho: 0.3 }),
  }),
  eSam: new GroupedOptimizer({
    params,
    rule: sgd(),
    defaults: hyper,
    oracle: esamOracle({ rho: 0.05, beta: 0.5, gamma: 0.5 }),
  }),
  aeSam: new GroupedOptimizer({ params, rule: sgd(), defaults: hyper, oracle: aeSam }),
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(optimizers).map((k) => [k, []]));
const cpuTimes: Record<string, number[]> = Object.fromEntries(Object.keys(optimizers).map((k) => [k, []]));
let lastCpuMs = 0;
/** One step's time; LookSAM's and AE-SAM's are the mean over 5 consecutive steps (LookSAM: one cycle). */
const step = (name: string) => {
  const n = name === "lookSam" || name === "aeSam" ? 5 : 1;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const value = optimizers[name]!.minimize(name === "eSam" ? perExample : loss, true)!;
    value.dataSync();
    value.dispose();
    if (name === "aeSam") {
      aeSamSteps++;
      if (aeSam.lastSam) aeSamSamSteps++;
    }
  }
  const c = process.cpuUsage(c0);
  lastCpuMs = (c.user + c.system) / 1000 / n;
  return (performance.now() - t0) / n;
};
for (const name of Object.keys(optimizers)) step(name); // warm-up
const tensorsBefore = tf.memory().numTensors;
for (let r = 0; r < rounds; r++) {
  for (const name of Object.keys(optimizers)) {
    times[name]!.push(step(name));
    cpuTimes[name]!.push(lastCpuMs);
  }
}
const leaked = tf.memory().numTensors - tensorsBefore;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.min(...v)]));
const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const cpu = Object.fromEntries(Object.entries(cpuTimes).map(([k, v]) => [k, median(v)]));
const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
for (const [k, v] of Object.entries(times))
  console.log(
    `${k.padEnd(7)} wall ${v.map((t) => t.toFixed(0)).join(" ")} ms; cpu ${cpuTimes[k]!.map((t) => t.toFixed(0)).join(" ")} ms`,
  );
console.log(
  JSON.stringify({
    backend: choice.backend,
    batch,
    rounds,
    sgd_step_ms: Math.round(ms.sgd!),
    sam_step_ms: Math.round(ms.sam!),
    samon_step_ms: Math.round(ms.samOn!),
    tensors_leaked: leaked,
    median_sam_over_2sgd: Number((med.sam! / (2 * med.sgd!)).toFixed(3)),
    median_samon_over_sam: Number((med.samOn! / med.sam!).toFixed(3)),
    median_looksam_over_sgd: Number((med.lookSam! / med.sgd!).toFixed(3)),
    median_msam_over_sgd: Number((med.mSam! / med.sgd!).toFixed(3)),
    sam_over_2sgd: Number((ms.sam! / (2 * ms.sgd!)).toFixed(3)),
    samon_over_sam: Number((ms.samOn! / ms.sam!).toFixed(3)),
    looksam_over_sgd: Number((ms.lookSam! / ms.sgd!).toFixed(3)),
    msam_over_sgd: Number((ms.mSam! / ms.sgd!).toFixed(3)),
    esam_over_sam: Number((ms.eSam! / ms.sam!).toFixed(3)),
    aesam_over_sgd: Number((ms.aeSam! / ms.sgd!).toFixed(3)),
    median_esam_over_sam: Number((med.eSam! / med.sam!).toFixed(3)),
    median_aesam_over_sgd: Number((med.aeSam! / med.sgd!).toFixed(3)),
    aesam_sam_fraction: Number((aeSamSamSteps / aeSamSteps).toFixed(3)),
    cpu_sgd_step_ms: Math.round(cpu.sgd!),
    cpu_sam_over_2sgd: ratio(cpu.sam!, 2 * cpu.sgd!),
    cpu_samon_over_sam: ratio(cpu.samOn!, cpu.sam!),
    cpu_looksam_over_sgd: ratio(cpu.lookSam!, cpu.sgd!),
    cpu_msam_over_sgd: ratio(cpu.mSam!, cpu.sgd!),
    cpu_esam_over_sam: ratio(cpu.eSam!, cpu.sam!),
    cpu_aesam_over_sgd: ratio(cpu.aeSam!, cpu.sgd!),
    load_average: loadavg().map((l) => Number(l.toFixed(2))),
  }),
);

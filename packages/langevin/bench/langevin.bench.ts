/**
 * `pnpm bench:langevin`: step time of BAOAB (`langevin()`) and of AdLaLa (`adlala()`) over
 * momentum SGD (`sgd({ momentum: 0.9 })` of @sam/core, the same GroupedOptimizer machinery) on
 * a CIFAR ResNet-20 and on an MLP, measured in one process on the same batch, steps
 * interleaved round-robin so that a shared machine slows every optimizer alike. A step's
 * time is the CPU time of this process during the step (`process.cpuUsage`, user + system:
 * the cpu and single-threaded wasm backends compute on this thread, and CPU time is barely
 * moved by other processes on a shared machine, unlike wall-clock time); each optimizer's
 * figure is the best of its rounds, the median wall-clock time is printed beside it. Each method
 * runs with the package's default noise source (`defaultNoise`, which is `fastNoise`: a seeded
 * ziggurat in JavaScript) and with `tfNoise` (seeded tf.randomNormal). The last line is one JSON
 * object; `langevin_over_sgd` is the worst ratio (over both models and both methods) with the
 * default noise source, `langevin_over_sgd_tfNoise` the same with `tfNoise`, `finite_check_ms`
 * what the optimizer's end-of-step finite check costs (momentum SGD with it minus without it), and
 * `update_kernels_ms` what the update kernels save where the backend registers them (wasm: each
 * method with its tfjs composition, the kernels unregistered around its steps, minus with them).
 *
 *   tsx --conditions=@sam/source bench/langevin.bench.ts [--rounds 15] [--resnet-batch 32] [--mlp-batch 128]
 */
import { registerWasmTrainingKernels, setupBackend } from "@sam/backend";
import * as tf from "@tensorflow/tfjs";
import { collectParams, GroupedOptimizer, sgd } from "@sam/core";
import { cifarResNet, mlp } from "@sam/models";
import {
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
  adlala,
  fastNoise,
  langevin,
  type NoiseSource,
  tfNoise,
  UNDERDAMPED_LANGEVIN_UPDATE,
} from "../src/index";

const UPDATE_KERNELS = [
  UNDERDAMPED_LANGEVIN_UPDATE,
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
];
/** Whether this backend has the update kernels (wasm with @sam/backend's kernels). */
const hasUpdateKernels = () => UPDATE_KERNELS.every((k) => tf.getKernel(k, tf.getBackend()));

/** `undefined`: the rule's own default (`defaultNoise`), as a user who names none gets it. */
type NoiseChoice = NoiseSource | undefined;

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** The project's default backend (@sam/backend is a devDependency: the bench only). */
async function prepareBackend(): Promise<string> {
  const choice = await setupBackend();
  return `${choice.backend} (@sam/backend: ${choice.reason})`;
}

interface Candidate {
  name: string;
  optimizer: tf.Optimizer;
  times: number[];
  /** Run its steps with the update kernels unregistered (the tfjs composition). */
  composed?: boolean;
}

function best(xs: number[]): number {
  return Math.min(...xs);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function benchModel(
  label: string,
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  rounds: number,
): Promise<Record<string, number>> {
  const params = collectParams(model as never);
  const make = (noise: NoiseChoice): [GroupedOptimizer, GroupedOptimizer] => [
    new GroupedOptimizer({
      params,
      defaults: { h: 0.1, friction: 1, temperature: 1e-6 },
      rule: langevin({}, noise ? { noise } : {}),
    }),
    adlala({ params, h: 0.1, ...(noise ? { noise } : {}) }),
  ];
  const [baoabDefault, adlalaDefault] = make(undefined);
  const [baoabTf, adlalaTf] = make(tfNoise);
  const [baoabComposed, adlalaComposed] = make(undefined);
  const candidates: Candidate[] = [
    {
      name: "sgd_momentum",
      optimizer: new GroupedOptimizer({ params, defaults: { lr: 0.01, momentum: 0.9 }, rule: sgd() }),
      times: [],
    },
    // the same step without the end-of-step finite check: what that check costs (`finite_check_ms`)
    {
      name: "sgd_momentum_unchecked",
      optimizer: new GroupedOptimizer({
        params,
        defaults: { lr: 0.01, momentum: 0.9 },
        rule: sgd(),
        checkFinite: false,
      }),
      times: [],
    },
    { name: "baoab", optimizer: baoabDefault, times: [] },
    { name: "adlala", optimizer: adlalaDefault, times: [] },
    { name: "baoab_tfNoise", optimizer: baoabTf, times: [] },
    { name: "adlala_tfNoise", optimizer: adlalaTf, times: [] },
    // the same steps without the update kernels, where the backend has them
    ...(hasUpdateKernels()
      ? [
          { name: "baoab_composed", optimizer: baoabComposed, times: [], composed: true },
          { name: "adlala_composed", optimizer: adlalaComposed, times: [], composed: true },
        ]
      : []),
  ];
  const loss = () =>
    tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  const wall: Record<string, number[]> = Object.fromEntries(candidates.map((c) => [c.name, []]));
  const step = (c: Candidate) => {
    if (c.composed) for (const k of UPDATE_KERNELS) tf.unregisterKernel(k, tf.getBackend());
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const l = c.optimizer.minimize(loss, true)!;
    l.dataSync(); // wait for the step (and its noise) to finish
    l.dispose();
    const cpu = process.cpuUsage(cpu0);
    wall[c.name]!.push(performance.now() - t0);
    if (c.composed) registerWasmTrainingKernels({ only: UPDATE_KERNELS as never });
    return (cpu.user + cpu.system) / 1000;
  };
  for (const c of candidates) step(c); // warm-up: kernels, slot allocation
  for (const c of candidates) wall[c.name]!.length = 0;
  for (let r = 0; r < rounds; r++) for (const c of candidates) c.times.push(step(c));
  const ms = Object.fromEntries(candidates.map((c) => [c.name, best(c.times)]));
  console.log(
    `${label}: CPU ms per step, best of ${rounds} interleaved rounds (median wall ms): ` +
      candidates
        .map((c) => `${c.name} ${ms[c.name]!.toFixed(1)} (${median(wall[c.name]!).toFixed(1)})`)
        .join(", "),
  );
  for (const c of candidates) c.optimizer.dispose();
  if (!hasUpdateKernels()) {
    baoabComposed.dispose();
    adlalaComposed.dispose();
  }
  return ms;
}

async function main() {
  const rounds = arg("rounds", 15);
  const resnetBatch = arg("resnet-batch", 32);
  const mlpBatch = arg("mlp-batch", 128);
  const backend = await prepareBackend();
  console.log(`backend: ${backend}`);

  // Noise cost alone, for the README: 272k normals (ResNet-20's parameter count).
  const noiseMs = (source: NoiseSource) => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const cpu0 = process.cpuUsage();
      // Braces: a tidy callback that returned the Float32Array would make tidy walk its 272k entries.
      tf.tidy(() => {
        source
          .normal({ shape: [272474], param: {} as never, role: "R", step: i, seed: 11 + i, stddev: 1 })
          .dataSync();
      });
      const cpu = process.cpuUsage(cpu0);
      times.push((cpu.user + cpu.system) / 1000);
    }
    return best(times);
  };
  // warm both up (the compiled ziggurat's first call instantiates its module)
  noiseMs(tfNoise);
  noiseMs(fastNoise);
  const noise = { tf_randomNormal_272k_ms: noiseMs(tfNoise), fastNoise_272k_ms: noiseMs(fastNoise) };
  console.log(`noise: ${JSON.stringify(noise)}`);

  const resnet = cifarResNet({
    depth: 20,
    numClasses: 10,
    inputShape: [32, 32, 3],
    seed: 1,
  }) as unknown as tf.LayersModel;
  const rx = tf.randomNormal([resnetBatch, 32, 32, 3], 0, 1, "float32", 2);
  const ry = tf.oneHot(tf.randomUniform([resnetBatch], 0, 10, "int32", 3) as tf.Tensor1D, 10);
  const r = await benchModel(`ResNet-20 (batch ${resnetBatch})`, resnet, rx, ry, rounds);

  const net = mlp({ inputDim: 784, widths: [512, 512], outputDim: 10, seed: 1 }) as unknown as tf.LayersModel;
  const mx = tf.randomNormal([mlpBatch, 784], 0, 1, "float32", 4);
  const my = tf.oneHot(tf.randomUniform([mlpBatch], 0, 10, "int32", 5) as tf.Tensor1D, 10);
  const m = await benchModel(`MLP 784-512-512-10 (batch ${mlpBatch})`, net, mx, my, rounds);

  const ratio = (ms: Record<string, number>, k: string) => ms[k]! / ms.sgd_momentum!;
  const ratios = {
    resnet20_baoab: ratio(r, "baoab"),
    resnet20_adlala: ratio(r, "adlala"),
    mlp_baoab: ratio(m, "baoab"),
    mlp_adlala: ratio(m, "adlala"),
    resnet20_baoab_tfNoise: ratio(r, "baoab_tfNoise"),
    resnet20_adlala_tfNoise: ratio(r, "adlala_tfNoise"),
    mlp_baoab_tfNoise: ratio(m, "baoab_tfNoise"),
    mlp_adlala_tfNoise: ratio(m, "adlala_tfNoise"),
  };
  const worst = (keys: string[]) => Math.max(...keys.map((k) => ratios[k as keyof typeof ratios]));
  console.log(
    JSON.stringify({
      langevin_over_sgd: worst(["resnet20_baoab", "resnet20_adlala", "mlp_baoab", "mlp_adlala"]),
      langevin_over_sgd_tfNoise: worst([
        "resnet20_baoab_tfNoise",
        "resnet20_adlala_tfNoise",
        "mlp_baoab_tfNoise",
        "mlp_adlala_tfNoise",
      ]),
      ratios,
      step_ms: { resnet20: r, mlp: m },
      finite_check_ms: {
        resnet20: r.sgd_momentum! - r.sgd_momentum_unchecked!,
        mlp: m.sgd_momentum! - m.sgd_momentum_unchecked!,
      },
      update_kernels_ms:
        r.baoab_composed === undefined
          ? null
          : {
              resnet20: { baoab: r.baoab_composed - r.baoab!, adlala: r.adlala_composed! - r.adlala! },
              mlp: { baoab: m.baoab_composed! - m.baoab!, adlala: m.adlala_composed! - m.adlala! },
            },
      noise,
      backend: tf.getBackend(),
      batch: { resnet20: resnetBatch, mlp: mlpBatch },
      rounds,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

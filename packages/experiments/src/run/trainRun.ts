import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { chunkedLoss, type GroupedOptimizer } from "@sam/core";
import { augmentImages } from "@sam/models";
import { loadBackbone, loadWeights, resolveInside } from "@sam/models/node";
import * as tf from "@tensorflow/tfjs";
import { CHECKPOINT_FORMAT, type CheckpointState, type MetricsLine } from "../checkpoint/checkpointState";
import { readCheckpoint, restoreCheckpoint } from "../checkpoint/readCheckpoint";
import { listCheckpoints, writeCheckpoint } from "../checkpoint/writeCheckpoint";
import type { RunConfig } from "../config/runConfig";
import { loadRunData } from "../data/loadRunData";
import { STREAMS, streamSeed } from "../data/streams";
import { atomicWrite } from "../fs/atomicWrite";
import { buildOptimizer } from "../method/buildOptimizer";
import { buildModel, modelInput } from "../model/buildModel";
import { batchAt, epochOrder } from "./batchAt";
import { evaluate } from "./evaluate";
import { weightsSha256 } from "./weightsSha256";
import { writeCurves } from "./writeCurves";

/** Progress of a run, reported after every step. */
export interface StepProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number;
  imagesPerSecond: number;
  /** Estimated seconds to the end. */
  eta: number;
}

/** Options of {@link trainRun}. */
export interface TrainRunOptions {
  /** The parsed config (see `parseRunConfig`). */
  readonly config: RunConfig;
  /** The directory the config's paths resolve in (data files, `model.init.from`). */
  readonly root: string;
  /** The run directory; nothing is written outside it. */
  readonly out: string;
  /** Continue from the newest complete checkpoint in `out` (or start, when it has none). */
  readonly resume?: boolean;
  /** The backend's name, for the metrics lines. Default `tf.getBackend()`. */
  readonly backend?: string;
  /** Called with each metrics line as it is written. */
  readonly onEval?: (line: MetricsLine) => void;
  /** Called after every step. */
  readonly onStep?: (p: StepProgress) => void;
  /** Called with notes (resumed from, curves skipped). */
  readonly onNote?: (note: string) => void;
  /** Stop right after this step, as if killed there (tests); the run then returns null. */
  readonly stopAfterStep?: number;
}

/** What a finished run prints last and writes to `summary.json`. */
export interface RunSummary {
  name: string | null;
  final_test_accuracy: number;
  final_test_loss: number;
  final_train_loss: number;
  steps: number;
  epochs: number;
  seconds: number;
  images_per_second: number;
  backend: string;
  weights_sha256: string;
  /** The steps this run was resumed from, in order (empty for an uninterrupted run). */
  resumed_from: number[];
  checkpoints: string[];
  curves: string[];
}

/** JSON with object keys sorted, so that equal configs hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * SHA-256 of a config's canonical JSON (keys sorted, defaults filled in by `parseRunConfig`).
 *
 * @example
 * ```ts
 * import { configSha256, parseRunConfig } from "@sam/experiments";
 *
 * const a = parseRunConfig({ model: { builder: "mlp" }, data: { source: "spirals" }, method: { name: "sgd" }, steps: 10 });
 * const b = parseRunConfig({ steps: 10, method: { name: "sgd" }, data: { source: "spirals" }, model: { builder: "mlp" } });
 * configSha256(a) === configSha256(b); // true: key order does not matter
 * ```
 */
export function configSha256(config: RunConfig): string {
  return createHash("sha256").update(canonical(config)).digest("hex");
}

function lossWeightDecayTerm(model: tf.LayersModel, c: number): (() => tf.Scalar) | null {
  if (c === 0) return null;
  const kernels = model.trainableWeights.filter((w) => /\/(kernel|embeddings)$/.test(w.originalName));
  return () => tf.mul(c / 2, tf.addN(kernels.map((w) => tf.sum(tf.square(w.read()))))) as tf.Scalar;
}

/** Every weight shard a `model.json` names must lie inside its directory (read before loading). */
function checkManifestPaths(dir: string): void {
  const file = resolveInside(dir, "model.json", "config model.init.from");
  let json: { weightsManifest?: { paths?: string[] }[] };
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`config model.init.from: cannot read ${file} as JSON (${(e as Error).message}).`);
  }
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths ?? []) resolveInside(dir, p, `${file} weightsManifest path`);
  }
}

function prepareOut(out: string, resume: boolean, config: RunConfig): void {
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!resume) {
      throw new Error(
        `--out ${out} already holds files: pass --resume to continue that run, or choose a new directory.`,
      );
    }
    const stored = join(out, "config.json");
    if (existsSync(stored)) {
      const previous = configSha256(JSON.parse(readFileSync(stored, "utf8")) as RunConfig);
      if (previous !== configSha256(config)) {
        throw new Error(
          `--resume: ${stored} is another config than the one given; resume with that run's own config (sam-train --resume --out ${out}), or start a new --out.`,
        );
      }
    }
  }
  mkdirSync(out, { recursive: true });
  atomicWrite(join(out, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * Runs a config: builds the data, the model and the optimizer, trains for `steps` (or
 * `epochs`), evaluates every `evalEvery` steps into `metrics.jsonl`, checkpoints every
 * `checkpointEvery` steps (and at the end) under `checkpoints/step-N`, then writes
 * `summary.json` and the curves. With `resume`, it continues from the newest complete
 * checkpoint, and the run it finishes is bit-identical to an uninterrupted one: every random
 * stream is a function of the seed and of counters the checkpoint holds.
 *
 * @returns The summary, or null when `stopAfterStep` stopped the run.
 *
 * @example
 * ```ts
 * import { parseRunConfig, trainRun } from "@sam/experiments";
 *
 * const config = parseRunConfig({ model: { builder: "mlp" }, data: { source: "spirals" }, method: { name: "sgd", hyper: { lr: 0.1 } }, epochs: 2 });
 * const summary = await trainRun({ config, root: ".", out: "runs/a" });
 * summary?.weights_sha256;
 * ```
 */
export async function trainRun(options: TrainRunOptions): Promise<RunSummary | null> {
  const { config, root } = options;
  const out = resolve(options.out);
  const resume = options.resume ?? false;
  await tf.ready();
  const backend = options.backend ?? tf.getBackend();
  const note = options.onNote ?? (() => {});
  prepareOut(out, resume, config);
  const sha = configSha256(config);
  const ckptDir = join(out, "checkpoints");

  const data = await loadRunData(config, root);
  const train = modelInput(config.model.builder, data.train);
  const test = modelInput(config.model.builder, data.test);
  const validation = data.validation ? modelInput(config.model.builder, data.validation) : null;
  const bs = config.data.batchSize;
  const perEpoch = Math.floor(train.size / bs);
  const totalSteps = config.steps ?? config.epochs! * perEpoch;
  const epochs = totalSteps / perEpoch;
  const evalEvery = config.evalEvery ?? perEpoch;
  const checkpointEvery = config.checkpointEvery ?? perEpoch;
  if (config.data.augment && train.xShape.length !== 3) {
    throw new Error(
      `data.augment is set, but the examples have shape ${JSON.stringify(train.xShape)}, not images.`,
    );
  }

  const model = buildModel(
    config.model,
    train.xShape,
    data.numClasses,
    config.seed,
  ) as unknown as tf.LayersModel;
  let optimizer: GroupedOptimizer | null = null;
  try {
    const checkpoints = resume ? listCheckpoints(ckptDir) : [];
    if (config.model.init && checkpoints.length === 0) {
      const from = resolveInside(root, config.model.init.from, "config model.init.from");
      checkManifestPaths(from);
      if (config.model.init.backbone) await loadBackbone(model, from);
      else await loadWeights(model, from);
    }
    optimizer = await buildOptimizer(config.method, model, config.seed);
    const streams = (step: number, epoch: number): CheckpointState["streams"] => ({
      dataOrder: { seed: config.seed, epoch },
      augmentation: config.data.augment ? { seed: config.seed, step } : null,
      labelNoise: config.data.labelNoise
        ? { seed: config.data.labelNoise.seed, fraction: config.data.labelNoise.fraction }
        : null,
      optimizer: { seed: optimizer!.seed, step },
      dropout: "none",
    });

    let step = 0;
    let running = { lossSum: 0, count: 0, images: 0 };
    let metrics: MetricsLine[] = [];
    let secondsBefore = 0;
    const resumedFrom: number[] = [];
    if (checkpoints.length > 0) {
      const ckpt = readCheckpoint(checkpoints[0]!.dir, sha);
      const s = ckpt.state;
      const expected = streams(s.step, Math.floor(s.step / perEpoch));
      if (canonical(s.streams) !== canonical(expected)) {
        tf.dispose([...Object.values(ckpt.model), ...Object.values(ckpt.optimizer)]);
        throw new Error(
          `checkpoint ${ckpt.dir}: its random streams ${canonical(s.streams)} are not where this config puts step ${s.step} (${canonical(expected)}).`,
        );
      }
      await restoreCheckpoint(ckpt, model, optimizer);
      if (optimizer.step !== s.step) {
        throw new Error(
          `checkpoint ${ckpt.dir}: the optimizer's step counter is ${optimizer.step}, state.json says ${s.step}.`,
        );
      }
      step = s.step;
      running = s.running;
      metrics = s.metrics;
      secondsBefore = s.seconds;
      resumedFrom.push(...(s.resumedFrom ?? []), s.step);
      note(`resumed from ${ckpt.dir} (step ${s.step} of ${totalSteps})`);
    } else if (resume) {
      note(`no checkpoint in ${ckptDir}: starting from step 0`);
    }
    // leftovers of a write that a kill interrupted
    if (existsSync(ckptDir)) {
      for (const n of readdirSync(ckptDir))
        if (n.startsWith(".tmp-")) rmSync(join(ckptDir, n), { recursive: true, force: true });
    }
    // the metrics file restarts from the checkpoint's lines: later lines will be written again, identically
    atomicWrite(join(out, "metrics.jsonl"), metrics.map((m) => `${JSON.stringify(m)}\n`).join(""));

    const penalty =
      config.method.weightDecayIn === "loss"
        ? lossWeightDecayTerm(model, config.method.lossWeightDecay)
        : null;
    const start = performance.now();
    const firstStep = step;
    const elapsed = () => secondsBefore + (performance.now() - start) / 1000;
    let lastEvalTime = performance.now();
    let lastEvalImages = running.images; // images of this eval period trained before a resume are not timed here
    let orderEpoch = -1;
    let order: Int32Array = new Int32Array(0);
    let lastLoss = Number.NaN;

    const state = (): Omit<CheckpointState, "files"> => ({
      format: CHECKPOINT_FORMAT,
      step,
      epoch: Math.floor(step / perEpoch),
      batchInEpoch: step % perEpoch,
      configSha256: sha,
      streams: streams(step, Math.floor(step / perEpoch)),
      running: { ...running },
      metrics: [...metrics],
      seconds: elapsed(),
      resumedFrom,
    });

    while (step < totalSteps) {
      const epoch = Math.floor(step / perEpoch);
      if (epoch !== orderEpoch) {
        order = epochOrder(train.size, config.seed, epoch);
        orderEpoch = epoch;
      }
      const batch = batchAt(train, order, step % perEpoch, bs);
      let xs = batch.xs;
      if (config.data.augment) {
        xs = augmentImages(batch.xs as tf.Tensor4D, {
          padding: config.data.augment.padding,
          flip: config.data.augment.flip,
          seed: streamSeed(config.seed, STREAMS.augmentation, step),
        });
        batch.xs.dispose();
      }
      const lossOf = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => {
        const ce = tf.losses.softmaxCrossEntropy(
          y,
          model.apply(x, { training: true }) as tf.Tensor,
        ) as tf.Scalar;
        return penalty ? (tf.add(ce, penalty()) as tf.Scalar) : ce;
      };
      const f = config.method.mSharpness
        ? chunkedLoss([xs, batch.ys], config.method.mSharpness, lossOf)
        : () => lossOf(xs, batch.ys);
      const loss = optimizer.minimize(f, true)!;
      lastLoss = loss.dataSync()[0]!;
      tf.dispose([loss, xs, batch.ys]);
      if (!Number.isFinite(lastLoss)) {
        throw new Error(
          `step ${step}: the training loss is ${lastLoss}. Lower method.hyper.lr (or h), or check the data.`,
        );
      }
      running.lossSum += lastLoss;
      running.count += 1;
      running.images += bs;
      step += 1;

      if (step % evalEvery === 0 || step === totalSteps) {
        const t = evaluate(model, test);
        const v = validation ? evaluate(model, validation) : null;
        const now = performance.now();
        const line: MetricsLine = {
          step,
          epoch: Number((step / perEpoch).toFixed(4)),
          train_loss: running.lossSum / running.count,
          ...(v ? { validation_loss: v.loss, validation_accuracy: v.accuracy } : {}),
          test_loss: t.loss,
          test_accuracy: t.accuracy,
          seconds: Number(elapsed().toFixed(3)),
          images_per_second: Math.round(
            (running.images - lastEvalImages) / Math.max((now - lastEvalTime) / 1000, 1e-9),
          ),
          backend,
        };
        metrics.push(line);
        running = { lossSum: 0, count: 0, images: 0 };
        lastEvalTime = now;
        lastEvalImages = 0;
        atomicWrite(join(out, "metrics.jsonl"), metrics.map((m) => `${JSON.stringify(m)}\n`).join(""));
        options.onEval?.(line);
      }
      if (step % checkpointEvery === 0 || step === totalSteps) {
        await writeCheckpoint(ckptDir, model, optimizer, state(), config.keep);
      }
      if (options.onStep) {
        // throughput of this process so far (evaluations included), for the bar and the ETA
        const ips = ((step - firstStep) * bs) / Math.max((performance.now() - start) / 1000, 1e-9);
        options.onStep({
          step,
          totalSteps,
          epoch: Math.floor((step - 1) / perEpoch) + 1,
          epochs: Math.ceil(epochs),
          loss: lastLoss,
          imagesPerSecond: ips,
          eta: ((totalSteps - step) * bs) / Math.max(ips, 1e-9),
        });
      }
      if (options.stopAfterStep === step) return null;
    }

    const last = metrics.at(-1)!;
    const seconds = elapsed();
    const curves = await writeCurves(out, metrics);
    if ("skipped" in curves) note(`curves not drawn: ${curves.skipped}`);
    const summary: RunSummary = {
      name: config.name ?? null,
      final_test_accuracy: last.test_accuracy,
      final_test_loss: last.test_loss,
      final_train_loss: last.train_loss,
      steps: totalSteps,
      epochs: Number(epochs.toFixed(4)),
      seconds: Number(seconds.toFixed(3)),
      images_per_second: Math.round((totalSteps * bs) / seconds),
      backend,
      weights_sha256: weightsSha256(model),
      resumed_from: resumedFrom,
      checkpoints: listCheckpoints(ckptDir)
        .map((c) => `checkpoints/step-${c.step}`)
        .reverse(),
      curves: "files" in curves ? curves.files : [],
    };
    atomicWrite(join(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    optimizer?.dispose();
    model.dispose();
  }
}

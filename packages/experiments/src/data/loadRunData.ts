import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createRng,
  type Dataset,
  gaussianBlobs,
  parseCifar,
  parseCsv,
  parseIdx,
  shapes,
  spirals,
  twoMoons,
} from "@sam/models";
import * as tf from "@tensorflow/tfjs";
import type { RunConfig } from "../config/runConfig";
import { resolveInside } from "@sam/models/node";
import { loadMnistDigits } from "./loadMnistDigits";
import { STREAMS, streamSeed } from "./streams";
import { symmetricLabelNoise } from "./symmetricLabelNoise";
import { keepClasses, takeExamples } from "./takeExamples";

/** The data of a run: the three splits, after class selection, validation split and label noise. */
export interface RunData {
  readonly train: Dataset;
  /** Held out from the training examples (`data.validation`), or null. */
  readonly validation: Dataset | null;
  readonly test: Dataset;
  readonly numClasses: number;
  /** Training labels the label noise changed. */
  readonly noisyLabels: number;
}

const GENERATORS = { shapes, gaussianBlobs, spirals, twoMoons } as const;

function generated(c: RunConfig, name: keyof typeof GENERATORS): { train: Dataset; test: Dataset } {
  const make = GENERATORS[name] as unknown as (o: Record<string, unknown>) => Dataset;
  const train = c.data.train ?? 1024;
  const test = c.data.test ?? 256;
  let all: Dataset;
  try {
    // one draw, then a seeded split: a generator's seed may fix the task itself (the blobs' centers)
    all = make({ ...c.data.options, n: train + test, seed: c.seed });
  } catch (e) {
    throw new Error(`data.options (${name}): ${(e as Error).message}`);
  }
  // some generators read n per class: keep the train:test proportion of the examples made
  const held = Math.round((all.size * test) / (train + test));
  const [tr, te] = splitOff(all, held, streamSeed(c.seed, STREAMS.generatedTest, 0));
  return { train: tr, test: te };
}

function bytes(root: string, path: string, field: string): Uint8Array {
  const abs = resolveInside(root, path, `config ${field}`);
  try {
    return readFileSync(abs);
  } catch (e) {
    throw new Error(
      `config ${field} is ${JSON.stringify(path)}: cannot read ${abs} (${(e as Error).message}).`,
    );
  }
}

function idxDataset(root: string, split: { images: string; labels: string }, field: string): Dataset {
  const images = parseIdx(bytes(root, split.images, `${field}.images`), split.images);
  const labels = parseIdx(bytes(root, split.labels, `${field}.labels`), split.labels);
  const n = images.shape[0]!;
  if (labels.shape[0] !== n) {
    throw new Error(`config ${field}: ${n} images but ${labels.shape[0]} labels.`);
  }
  const xs = new Float32Array(images.data.length);
  const scale = images.dtype === "uint8" ? 1 / 255 : 1;
  for (let i = 0; i < xs.length; i++) xs[i] = images.data[i]! * scale;
  const ys = Int32Array.from(labels.data as ArrayLike<number>);
  const xShape = images.shape.length === 3 ? [images.shape[1]!, images.shape[2]!, 1] : images.shape.slice(1);
  let k = 0;
  for (const y of ys) k = Math.max(k, y + 1);
  return { xs, xShape, ys, yShape: [], size: n, numClasses: k };
}

/** A seeded split of `ds` into its first `n - held` and last `held` examples of a permutation. */
function splitOff(ds: Dataset, held: number, seed: number): [Dataset, Dataset] {
  const order = createRng(seed).permutation(ds.size);
  return [
    takeExamples(ds, order.subarray(0, ds.size - held)),
    takeExamples(ds, order.subarray(ds.size - held)),
  ];
}

async function sources(c: RunConfig, root: string): Promise<{ train: Dataset; test: Dataset }> {
  const d = c.data;
  switch (d.source) {
    case "shapes":
    case "gaussianBlobs":
    case "spirals":
    case "twoMoons":
      return generated(c, d.source);
    case "mnist":
      return loadMnistDigits({
        train: d.train ?? 8000,
        test: d.test ?? 2000,
        seed: c.seed,
        ...(d.classes ? { digits: d.classes } : {}),
      });
    case "cifar10":
    case "cifar100": {
      const files =
        d.source === "cifar10"
          ? { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ["test_batch.bin"] }
          : { train: ["train.bin"], test: ["test.bin"] };
      const read = (names: string[], limit: number | undefined) => {
        const parts = names.map((f) =>
          parseCifar(bytes(root, join(d.dir!, f), "data.dir"), { variant: d.source as "cifar10" }, f),
        );
        const all = parts.length === 1 ? parts[0]! : concat(parts);
        return limit === undefined ? all : takeExamples(all, range(Math.min(limit, all.size)));
      };
      return { train: read(files.train, d.train), test: read(files.test, d.test) };
    }
    case "idx": {
      const train = idxDataset(root, d.files!.train, "data.files.train");
      if (d.files!.test) return { train, test: idxDataset(root, d.files!.test, "data.files.test") };
      const [tr, te] = splitOff(
        train,
        d.test ?? Math.round(train.size / 5),
        streamSeed(c.seed, STREAMS.subset, 0),
      );
      return { train: tr, test: te };
    }
    case "csv": {
      const text = (p: string, f: string) => new TextDecoder().decode(bytes(root, p, f));
      const opts = d.csv!.labelColumn !== undefined ? { labelColumn: d.csv!.labelColumn } : {};
      const train = parseCsv(text(d.csv!.train, "data.csv.train"), opts, d.csv!.train);
      if (d.csv!.test)
        return { train, test: parseCsv(text(d.csv!.test, "data.csv.test"), opts, d.csv!.test) };
      const [tr, te] = splitOff(
        train,
        d.test ?? Math.round(train.size / 5),
        streamSeed(c.seed, STREAMS.subset, 0),
      );
      return { train: tr, test: te };
    }
  }
}

/** The images of `ds` resized to `side` x `side` (bilinear). */
function resizeImages(ds: Dataset, side: number): Dataset {
  if (ds.xShape.length !== 3) {
    throw new Error(
      `data.resize is ${side}, but the examples have shape ${JSON.stringify(ds.xShape)}, not images.`,
    );
  }
  const [h, w, c] = ds.xShape as [number, number, number];
  const xs = tf.tidy(
    () =>
      tf.image
        .resizeBilinear(tf.tensor4d(Float32Array.from(ds.xs), [ds.size, h, w, c]), [side, side])
        .dataSync() as Float32Array,
  );
  return { ...ds, xs, xShape: [side, side, c] };
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function concat(parts: Dataset[]): Dataset {
  const size = parts.reduce((a, p) => a + p.size, 0);
  const xs = new Float32Array(parts.reduce((a, p) => a + p.xs.length, 0));
  const ys = new Int32Array(size);
  let xo = 0;
  let yo = 0;
  for (const p of parts) {
    xs.set(p.xs, xo);
    ys.set(p.ys, yo);
    xo += p.xs.length;
    yo += p.size;
  }
  return { ...parts[0]!, xs, ys, size };
}

/**
 * Loads the data a config names, reading files only inside `root` (the config's root): the
 * train and test splits, then `data.classes`, the validation split (seeded by the run's seed)
 * and the training label noise. Everything is deterministic in the config.
 *
 * @param config - A parsed config.
 * @param root - The directory relative to which the config's paths resolve.
 * @returns The splits.
 *
 * @example
 * ```ts
 * import { loadRunData, parseRunConfig } from "@sam/experiments";
 *
 * const config = parseRunConfig({ model: { builder: "mlp" }, data: { source: "spirals", train: 256 }, method: { name: "sgd" }, epochs: 1 });
 * const data = await loadRunData(config, "configs"); // paths in the config resolve inside configs/
 * data.train.size;
 * ```
 */
export async function loadRunData(config: RunConfig, root: string): Promise<RunData> {
  let { train, test } = await sources(config, root);
  const d = config.data;
  if (d.classes && d.source !== "mnist") {
    train = keepClasses(train, d.classes);
    test = keepClasses(test, d.classes);
  }
  if (d.resize !== undefined) {
    train = resizeImages(train, d.resize);
    test = resizeImages(test, d.resize);
  }
  if (train.numClasses === undefined) {
    throw new Error(
      `data.source ${JSON.stringify(d.source)} gave a regression set: sam-train trains classifiers.`,
    );
  }
  let validation: Dataset | null = null;
  if (d.validation > 0) {
    const held = Math.round(d.validation * train.size);
    [train, validation] = splitOff(train, held, streamSeed(config.seed, STREAMS.validationSplit, 0));
  }
  let noisyLabels = 0;
  if (d.labelNoise && d.labelNoise.fraction > 0) {
    const noisy = symmetricLabelNoise(train, d.labelNoise.fraction, d.labelNoise.seed);
    train = noisy.dataset;
    noisyLabels = noisy.changed;
  }
  if (train.size < d.batchSize) {
    throw new Error(
      `data.batchSize is ${d.batchSize}, more than the ${train.size} training examples: lower it or add examples.`,
    );
  }
  return { train, validation, test, numClasses: train.numClasses!, noisyLabels };
}

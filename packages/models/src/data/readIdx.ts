import { type ByteSource, readBytes } from "../internal/readBytes";
import type { Dataset } from "./dataset";
import { type IdxArray, parseIdx } from "./parseIdx";

/**
 * Reads an IDX file from a path or bytes, gzipped or not (see {@link parseIdx}).
 *
 * @example
 * ```ts
 * const labels = await readIdx('./mnist/t10k-labels-idx1-ubyte.gz');
 * ```
 */
export async function readIdx(source: ByteSource): Promise<IdxArray> {
  const what = typeof source === "string" ? source : "<bytes>";
  return parseIdx(await readBytes("readIdx", source), what);
}

/** Options of {@link readMnist}. */
export interface ReadMnistOptions {
  /** Images IDX file (path or bytes, `.gz` or not): uint8, `[n, rows, cols]`. */
  images: ByteSource;
  /** Labels IDX file: uint8, `[n]`. */
  labels: ByteSource;
  /** Number of classes (labels must lie in `[0, numClasses)`). Default 10. */
  numClasses?: number;
  /** Class names (e.g. {@link FASHION_MNIST_CLASSES}). */
  classNames?: string[];
}

/**
 * Reads MNIST or Fashion-MNIST (same IDX format) into a {@link Dataset}: images
 * `[rows, cols, 1]` float32 in [0, 1] (byte / 255), labels int32.
 *
 * @param options - See {@link ReadMnistOptions}.
 * @returns The data set.
 * @throws On a wrong magic number (e.g. images and labels swapped), truncated files, different
 *   counts, or a label outside `[0, numClasses)`.
 *
 * @example
 * ```ts
 * const train = await readMnist({
 *   images: './fashion/train-images-idx3-ubyte.gz',
 *   labels: './fashion/train-labels-idx1-ubyte.gz',
 *   classNames: FASHION_MNIST_CLASSES,
 * });
 * ```
 */
export async function readMnist(options: ReadMnistOptions): Promise<Dataset> {
  const { numClasses = 10, classNames } = options;
  const images = await readIdx(options.images);
  const labels = await readIdx(options.labels);
  const name = (s: ByteSource) => (typeof s === "string" ? s : "<bytes>");
  if (images.dtype !== "uint8" || images.shape.length !== 3) {
    throw new Error(
      `readMnist: images '${name(options.images)}' must be a uint8 IDX file of shape [n, rows, cols] ` +
        `(magic 0x00000803), got ${images.dtype} ${JSON.stringify(images.shape)}. Are images and labels swapped?`,
    );
  }
  if (labels.dtype !== "uint8" || labels.shape.length !== 1) {
    throw new Error(
      `readMnist: labels '${name(options.labels)}' must be a uint8 IDX file of shape [n] (magic 0x00000801), ` +
        `got ${labels.dtype} ${JSON.stringify(labels.shape)}. Are images and labels swapped?`,
    );
  }
  const [n, rows, cols] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) {
    throw new Error(`readMnist: ${n} images but ${labels.shape[0]} labels; pass files of the same split.`);
  }
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i]!;
    if (c >= numClasses) {
      throw new Error(
        `readMnist: label ${i} is ${c}, outside [0, ${numClasses}) in '${name(options.labels)}'. ` +
          "Pass the right labels file or numClasses.",
      );
    }
    ys[i] = c;
  }
  const xs = new Float32Array(images.data.length);
  for (let i = 0; i < xs.length; i++) xs[i] = images.data[i]! / 255;
  const ds: Dataset = { xs, xShape: [rows, cols, 1], ys, yShape: [], size: n, numClasses };
  if (classNames) ds.classNames = classNames;
  return ds;
}

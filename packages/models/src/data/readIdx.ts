import { type ByteSource, readBytes } from "../internal/readBytes";
import type { Dataset } from "./dataset";

/**
 * A decoded IDX array.
 *
 * @example
 * ```ts
 * const { dtype, shape } = parseIdx(bytes); // 'uint8', [10000, 28, 28]
 * ```
 */
export interface IdxArray {
  /** Element type from the magic number. */
  dtype: "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
  /** Dimensions, outermost first. */
  shape: number[];
  /** Values, row-major. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const IDX_TYPES: Record<number, [IdxArray["dtype"], number]> = {
  0x08: ["uint8", 1],
  0x09: ["int8", 1],
  0x0b: ["int16", 2],
  0x0c: ["int32", 4],
  0x0d: ["float32", 4],
  0x0e: ["float64", 8],
};

/**
 * Decodes an IDX file (the MNIST format, LeCun et al.): a big-endian header
 * `[0, 0, typeCode, ndim]`, then `ndim` big-endian uint32 dimensions, then the values
 * (big-endian for multi-byte types).
 *
 * @param bytes - The raw (already gunzipped) file.
 * @param what - A name for error messages.
 * @returns The decoded {@link IdxArray}.
 * @throws On a wrong magic number, an unknown type code, or a truncated/oversized file.
 *
 * @example
 * ```ts
 * const { shape, data } = parseIdx(bytes); // e.g. [60000, 28, 28], Uint8Array
 * ```
 */
export function parseIdx(bytes: Uint8Array, what = "<bytes>"): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new Error(
      `parseIdx: '${what}' is not an IDX file: magic number bytes are [${head}], expected [00 00 <type> <ndim>]. ` +
        "Pass the uncompressed or .gz IDX file (e.g. train-images-idx3-ubyte.gz).",
    );
  }
  const type = IDX_TYPES[bytes[2]!];
  if (!type) throw new Error(`parseIdx: '${what}' has unknown IDX type code 0x${bytes[2]!.toString(16)}.`);
  const ndim = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw new Error(`parseIdx: '${what}' is truncated inside its header.`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const [dtype, width] = type;
  const expected = header + count * width;
  if (bytes.length !== expected) {
    throw new Error(
      `parseIdx: '${what}' has ${bytes.length} bytes but its header (shape ${JSON.stringify(shape)}, ${dtype}) ` +
        `needs ${expected}: the file is ${bytes.length < expected ? "truncated" : "longer than declared"}.`,
    );
  }
  let data: IdxArray["data"];
  switch (dtype) {
    case "uint8":
      data = bytes.slice(header);
      break;
    case "int8":
      data = new Int8Array(bytes.slice(header).buffer);
      break;
    default: {
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
        dtype
      ];
      const out = new Ctor(count);
      for (let i = 0; i < count; i++) {
        const o = header + i * width;
        out[i] =
          dtype === "int16"
            ? view.getInt16(o, false)
            : dtype === "int32"
              ? view.getInt32(o, false)
              : dtype === "float32"
                ? view.getFloat32(o, false)
                : view.getFloat64(o, false);
      }
      data = out;
    }
  }
  return { dtype, shape, data };
}

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
 * The Fashion-MNIST class names, index = label.
 *
 * @example
 * ```ts
 * FASHION_MNIST_CLASSES[9]; // 'Ankle boot'
 * ```
 */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

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

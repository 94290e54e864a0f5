import * as tfc from "@tensorflow/tfjs-core";

/**
 * An in-memory data set as typed arrays with shapes: example `i` is
 * `xs[i * prod(xShape) .. (i + 1) * prod(xShape))`. Images are NHWC, float32 in [0, 1] unless
 * normalized. For classification `ys` holds class ids (`Int32Array`, `yShape = []`) and
 * `numClasses` is set; for regression `ys` is a `Float32Array` with `yShape` per example.
 *
 * @example
 * ```ts
 * const ds: Dataset = { xs: Float32Array.from([0, 1, 1, 0]), xShape: [2], ys: Int32Array.from([1, 0]), yShape: [], size: 2, numClasses: 2 };
 * ```
 */
export interface Dataset {
  /** Inputs, example-major. Token ids are `Int32Array`. */
  xs: Float32Array | Int32Array;
  /** Shape of one example, e.g. `[32, 32, 3]`, `[2]`, `[seqLen]`. */
  xShape: number[];
  /** Class ids or regression targets, example-major. */
  ys: Int32Array | Float32Array;
  /** Shape of one label: `[]` for class ids. */
  yShape: number[];
  /** Number of examples. */
  size: number;
  /** Number of classes (classification only). */
  numClasses?: number;
  /** Optional class names, index = class id. */
  classNames?: string[];
}

/** Product of a shape's dimensions (1 for `[]`). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Checks that the arrays of `ds` agree with its shapes and labels lie in `[0, numClasses)`.
 *
 * @throws An error naming the field, the values found and the expected ones.
 *
 * @example
 * ```ts
 * import { checkDataset } from '@sam/models';
 * import { readCsv } from '@sam/models/node';
 *
 * checkDataset(await readCsv('./data.csv')); // throws e.g. "label ys[7] = 3 is outside [0, 3)."
 * ```
 */
export function checkDataset(ds: Dataset, fn = "checkDataset"): void {
  const fx = sizeOf(ds.xShape);
  const fy = sizeOf(ds.yShape);
  if (ds.xs.length !== ds.size * fx) {
    throw new Error(`${fn}: xs has ${ds.xs.length} values, expected size ${ds.size} x prod(xShape) ${fx}.`);
  }
  if (ds.ys.length !== ds.size * fy) {
    throw new Error(`${fn}: ys has ${ds.ys.length} values, expected size ${ds.size} x prod(yShape) ${fy}.`);
  }
  if (ds.numClasses !== undefined) {
    for (let i = 0; i < ds.ys.length; i++) {
      const c = ds.ys[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= ds.numClasses) {
        throw new Error(`${fn}: label ys[${i}] = ${c} is outside [0, ${ds.numClasses}).`);
      }
    }
  }
}

/**
 * The whole data set as tensors: `xs` `[size, ...xShape]`, `ys` one-hot float32
 * `[size, numClasses]` for classification (or class ids with `oneHot: false`), else
 * `[size, ...yShape]`. The caller owns (and disposes) both.
 *
 * @example
 * ```ts
 * const { xs, ys } = toTensors(twoMoons({ n: 100, seed: 1 })); // [200, 2], [200, 2]
 * ```
 */
export function toTensors(
  ds: Dataset,
  options: { oneHot?: boolean } = {},
): { xs: tfc.Tensor; ys: tfc.Tensor } {
  const idx = new Int32Array(ds.size);
  for (let i = 0; i < ds.size; i++) idx[i] = i;
  return gather(ds, idx, options.oneHot ?? true);
}

/** Copies the examples `idx` of `ds` into two new tensors (no intermediate tensors). */
export function gather(ds: Dataset, idx: Int32Array, oneHot: boolean): { xs: tfc.Tensor; ys: tfc.Tensor } {
  const fx = sizeOf(ds.xShape);
  const n = idx.length;
  const x = ds.xs instanceof Int32Array ? new Int32Array(n * fx) : new Float32Array(n * fx);
  for (let i = 0; i < n; i++) x.set(ds.xs.subarray(idx[i]! * fx, (idx[i]! + 1) * fx), i * fx);
  const xs = tfc.tensor(x, [n, ...ds.xShape], ds.xs instanceof Int32Array ? "int32" : "float32");
  let ys: tfc.Tensor;
  if (ds.numClasses !== undefined && oneHot) {
    const k = ds.numClasses;
    const y = new Float32Array(n * k);
    for (let i = 0; i < n; i++) y[i * k + ds.ys[idx[i]!]!] = 1;
    ys = tfc.tensor2d(y, [n, k]);
  } else {
    const fy = sizeOf(ds.yShape);
    const y = ds.ys instanceof Int32Array ? new Int32Array(n * fy) : new Float32Array(n * fy);
    for (let i = 0; i < n; i++) y.set(ds.ys.subarray(idx[i]! * fy, (idx[i]! + 1) * fy), i * fy);
    ys = tfc.tensor(y, [n, ...ds.yShape], ds.ys instanceof Int32Array ? "int32" : "float32");
  }
  return { xs, ys };
}

/**
 * The examples `[start, end)` of `ds` as a new data set (copies), e.g. a train/validation split.
 *
 * @example
 * ```ts
 * const ds = shapes({ n: 5000, seed: 1 }); // image i has class i mod 5: both slices are balanced
 * const val = sliceDataset(ds, 0, 1000);
 * const train = sliceDataset(ds, 1000, ds.size);
 * ```
 */
export function sliceDataset(ds: Dataset, start: number, end: number): Dataset {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > ds.size || start > end) {
    throw new Error(
      `sliceDataset: need 0 <= start <= end <= size (${ds.size}), got start ${start}, end ${end}.`,
    );
  }
  const fx = sizeOf(ds.xShape);
  const fy = sizeOf(ds.yShape);
  return {
    ...ds,
    xs: ds.xs.slice(start * fx, end * fx),
    ys: ds.ys.slice(start * fy, end * fy),
    size: end - start,
  };
}

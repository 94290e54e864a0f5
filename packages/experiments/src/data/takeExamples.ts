import type { Dataset } from "@sam/models";

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The examples `indices` of `ds`, in that order, as a new data set (copies).
 *
 * @example
 * ```ts
 * const ds = { xs: new Float32Array(200), xShape: [2], ys: new Int32Array(100), yShape: [], size: 100, numClasses: 2 };
 * const firstTen = takeExamples(ds, Int32Array.from({ length: 10 }, (_, i) => i));
 * ```
 */
export function takeExamples(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const fx = sizeOf(ds.xShape);
  const fy = sizeOf(ds.yShape);
  const n = indices.length;
  const xs = new (ds.xs.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(n * fx);
  const ys = new (ds.ys.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(n * fy);
  for (let i = 0; i < n; i++) {
    const j = indices[i]!;
    xs.set(ds.xs.subarray(j * fx, (j + 1) * fx), i * fx);
    ys.set(ds.ys.subarray(j * fy, (j + 1) * fy), i * fy);
  }
  return { ...ds, xs, ys, size: n };
}

/**
 * Keeps the examples whose class is in `classes` and relabels class `classes[i]` as `i`
 * (e.g. digits 5-9 become classes 0-4).
 *
 * @example
 * ```ts
 * const digits = { xs: new Float32Array(10), xShape: [1], ys: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), yShape: [], size: 10, numClasses: 10 };
 * const upper = keepClasses(digits, [5, 6, 7, 8, 9]); // numClasses 5, labels 0..4
 * ```
 */
export function keepClasses(ds: Dataset, classes: readonly number[], field = "data.classes"): Dataset {
  const k = ds.numClasses;
  if (k === undefined)
    throw new Error(`${field} is set, but the data set has no classes (a regression set).`);
  const bad = classes.filter((c) => c >= k);
  if (bad.length > 0 || new Set(classes).size !== classes.length) {
    throw new Error(
      `${field} is ${JSON.stringify(classes)}: classes must be distinct and below ${k} (the data set's class count).`,
    );
  }
  const relabel = new Map(classes.map((c, i) => [c, i]));
  const keep: number[] = [];
  for (let i = 0; i < ds.size; i++) if (relabel.has(ds.ys[i]!)) keep.push(i);
  const out = takeExamples(ds, keep);
  const ys = new Int32Array(out.size);
  for (let i = 0; i < out.size; i++) ys[i] = relabel.get(out.ys[i]!)!;
  const classNames = ds.classNames ? classes.map((c) => ds.classNames![c]!) : undefined;
  return { ...out, ys, numClasses: classes.length, ...(classNames ? { classNames } : {}) };
}

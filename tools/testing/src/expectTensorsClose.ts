import type * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";

/** Tolerances: `|actual - expected| <= atol + rtol * |expected|`, elementwise. */
export interface Tolerance {
  readonly atol?: number;
  readonly rtol?: number;
}

type Values = tf.Tensor | number | ArrayLike<number> | readonly number[];

function flat(x: Values): Float64Array {
  if (typeof x === "number") return Float64Array.of(x);
  if (typeof (x as tf.Tensor).dataSync === "function") return Float64Array.from((x as tf.Tensor).dataSync());
  return Float64Array.from(x as ArrayLike<number>);
}

/**
 * Asserts two tensors (or arrays) are elementwise close: `|a - e| <= atol + rtol * |e|`
 * (defaults atol 1e-6, rtol 1e-6). The failure names the first bad index, both values and
 * the worst error, and shapes are compared when both are tensors.
 *
 * @example
 * ```ts
 * expectTensorsClose(optimized, [0.9, 1.8], { atol: 1e-6 });
 * ```
 */
export function expectTensorsClose(
  actual: Values,
  expected: Values,
  tol: Tolerance = {},
  label = "tensor",
): void {
  const atol = tol.atol ?? 1e-6;
  const rtol = tol.rtol ?? 1e-6;
  const a = flat(actual);
  const e = flat(expected);
  const sa = (actual as tf.Tensor).shape;
  const se = (expected as tf.Tensor).shape;
  if (sa && se) expect(sa, `${label}: shape`).toEqual(se);
  expect(a.length, `${label}: number of elements`).toBe(e.length);
  let worst = 0;
  let firstBad = -1;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - e[i]!);
    const allowed = atol + rtol * Math.abs(e[i]!);
    if (!(err <= allowed)) {
      if (firstBad < 0) firstBad = i;
      worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
    }
  }
  if (firstBad >= 0) {
    expect.fail(
      `${label}: element ${firstBad} is ${a[firstBad]} but expected ${e[firstBad]} (atol ${atol}, rtol ${rtol}); worst error ${worst}`,
    );
  }
}

/**
 * Asserts two tensors are bit for bit equal (same shape, same float32 values).
 *
 * @example
 * ```ts
 * expectTensorsEqual(variableAfterResume, variableAfterStraightRun);
 * ```
 */
export function expectTensorsEqual(actual: tf.Tensor, expected: tf.Tensor, label = "tensor"): void {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], e[i])) expect.fail(`${label}: element ${i} is ${a[i]} but expected exactly ${e[i]}`);
  }
}

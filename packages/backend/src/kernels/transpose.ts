import * as tf from "@tensorflow/tfjs-core";
import { convKernelModuleFor } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";
import { share } from "./shareData";

/**
 * The [A, B, C, D] view of a transpose that swaps two adjacent groups of axes and keeps the
 * leading and trailing ones: after merging runs of axes that stay neighbours, the permutation
 * must be [0, 2, 1, 3] (leading a, trailing d possibly absent, i.e. of size 1). Undefined for any
 * other permutation.
 */
export function swapMiddleView(
  shape: readonly number[],
  perm: readonly number[],
): [number, number, number, number] | undefined {
  // drop axes of size 1 (they move nothing), keeping the order of the others
  const kept = perm.filter((p) => shape[p] !== 1);
  const rank = kept.map((p) => [...kept].sort((x, y) => x - y).indexOf(p));
  const sizes = [...kept].sort((x, y) => x - y).map((p) => shape[p]!);
  // merge runs of output axes that are consecutive input axes
  const groups: number[][] = [];
  for (const r of rank) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1]! + 1 === r) g.push(r);
    else groups.push([r]);
  }
  const size = (g: number[]) => g.reduce((acc, r) => acc * sizes[r]!, 1);
  const order = groups.map((g) => g[0]!);
  const sorted = [...order].sort((x, y) => x - y);
  const position = order.map((o) => sorted.indexOf(o)); // output group i is input group position[i]
  const n = groups.length;
  const inputGroups = sorted.map((o) => groups[order.indexOf(o)]!);
  if (n === 2 && position[0] === 1) return [1, size(inputGroups[0]!), size(inputGroups[1]!), 1];
  if (n === 3 && position.join() === "0,2,1")
    return [size(inputGroups[0]!), size(inputGroups[1]!), size(inputGroups[2]!), 1];
  if (n === 3 && position.join() === "1,0,2")
    return [1, size(inputGroups[0]!), size(inputGroups[1]!), size(inputGroups[2]!)];
  if (n === 4 && position.join() === "0,2,1,3")
    return [size(inputGroups[0]!), size(inputGroups[1]!), size(inputGroups[2]!), size(inputGroups[3]!)];
  return undefined;
}

/**
 * `Transpose` for wasm when it swaps two adjacent blocks of axes (e.g. [B, T, H, Dh] to
 * [B, H, T, Dh] and back: a transformer's split into heads and their merge), by the compiled
 * loop `swapMiddleAxes` (`kernels-c/elementwise.c`) with the trailing block copied as whole rows:
 *
 *     out[a, c, b, d] = x[a, b, c, d]   for the view [A, B, C, D] of {@link swapMiddleView}.
 *
 * tfjs-wasm 4.22 moves one element at a time through an index computation (~0.6 ns an element).
 * A permutation that only moves axes of 1 (the identity [0, 1] that tfjs-core's matMul gradient
 * asks for, 32 calls of a ViT step) returns the same data without a copy. Only trailing blocks of
 * 4 floats or more are taken (a shorter row, e.g. a plain matrix
 * transpose, is better on tfjs-wasm's own loop); other dtypes and permutations go to `native`.
 *
 * @example
 * ```ts
 * tf.registerKernel(makeTransposeConfig(tf.getKernel("Transpose", "wasm")!));
 * ```
 */
export function makeTransposeConfig(native: tf.KernelConfig): tf.KernelConfig {
  return {
    ...native,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { perm } = args.attrs as unknown as tf.TransposeAttrs;
      const be = args.backend as DisposingWasmBackend;
      // a permutation that only moves axes of 1 (e.g. [0, 1], from matMul's gradient): same data
      const moved = perm.filter((p) => x.shape[p] !== 1);
      if (x.dtype !== "string" && moved.every((p, i) => i === 0 || p > moved[i - 1]!))
        return share(
          be,
          x,
          perm.map((p) => x.shape[p]!),
        );
      const view = x.dtype === "float32" || x.dtype === "int32" ? swapMiddleView(x.shape, perm) : undefined;
      const m = view && view[3] >= 4 ? convKernelModuleFor(be) : undefined;
      if (!view || !m) return native.kernelFunc(args);
      const out = be.makeOutput(
        perm.map((p) => x.shape[p]!),
        x.dtype,
      );
      if (tf.util.sizeFromShape(x.shape) > 0)
        m.kernels.swapMiddleAxes(heapOffset(be, x), heapOffset(be, out), ...view);
      return out;
    },
  };
}

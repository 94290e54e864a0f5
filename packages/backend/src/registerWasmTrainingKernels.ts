import * as tf from "@tensorflow/tfjs-core";
import { makeChannelBroadcastConfig } from "./kernels/channelBroadcast";
import { makeChannelReduceConfig } from "./kernels/channelReduce";
import { conv2dBackpropFilterConfig } from "./kernels/conv2dBackpropFilter";
import { conv2dBackpropInputConfig } from "./kernels/conv2dBackpropInput";
import { makeConv2dConfig } from "./kernels/directConv2d";
import { depthwiseConv2dNativeBackpropFilterConfig } from "./kernels/depthwiseConv2dNativeBackpropFilter";
import { depthwiseConv2dNativeBackpropInputConfig } from "./kernels/depthwiseConv2dNativeBackpropInput";
import { elementwiseBatchNormGradConfig } from "./kernels/elementwiseBatchNormGrad";
import { makeFusedBatchNormConfig } from "./kernels/fusedBatchNorm";
import { makeBatchMatMulConfig, makeFusedMatMulConfig } from "./kernels/batchMatMul";
import { makeCastConfig, makeIdentityConfig } from "./kernels/shareData";
import { softmaxGradConfig } from "./kernels/softmaxGrad";
import { allFiniteConfig } from "./kernels/allFinite";
import {
  adaptiveLangevinFirstHalfConfig,
  adaptiveLangevinSecondHalfConfig,
  underdampedLangevinUpdateConfig,
} from "./kernels/langevinUpdates";
import { makeTileConfig } from "./kernels/tile";
import { makeTransposeConfig } from "./kernels/transpose";
import { makeUnaryElementwiseConfig } from "./kernels/unaryElementwise";
import { unsortedSegmentSumConfig } from "./kernels/unsortedSegmentSum";

/** Names of the kernels that {@link registerWasmTrainingKernels} installs on the wasm backend. */
export type WasmTrainingKernelName =
  | "Conv2DBackpropFilter"
  | "Conv2DBackpropInput"
  | "DepthwiseConv2dNativeBackpropFilter"
  | "DepthwiseConv2dNativeBackpropInput"
  | "Tile"
  | "UnsortedSegmentSum"
  | "FusedBatchNorm"
  | "Sum"
  | "Mean"
  | "Add"
  | "Sub"
  | "Multiply"
  | "Identity"
  | "Cast"
  | "BatchMatMul"
  | "Conv2D"
  | "FusedConv2D"
  | "Exp"
  | "Erf"
  | "Rsqrt"
  | "Transpose"
  | "SamElementwiseBatchNormGrad"
  | "SamSoftmaxGrad"
  | "SamAllFinite"
  | "SamUnderdampedLangevinUpdate"
  | "SamAdaptiveLangevinFirstHalf"
  | "SamAdaptiveLangevinSecondHalf"
  | "_FusedMatMul";

/**
 * Every kernel of {@link registerWasmTrainingKernels}, in registration order.
 *
 * @example
 * ```ts
 * registerWasmTrainingKernels({ only: WASM_TRAINING_KERNELS.filter((k) => k !== "Tile") });
 * ```
 */
export const WASM_TRAINING_KERNELS: readonly WasmTrainingKernelName[] = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "Tile",
  "UnsortedSegmentSum",
  "FusedBatchNorm",
  "Sum",
  "Mean",
  "Add",
  "Sub",
  "Multiply",
  "Identity",
  "Cast",
  "BatchMatMul",
  "Conv2D",
  "FusedConv2D",
  "Exp",
  "Erf",
  "Rsqrt",
  "Transpose",
  "SamElementwiseBatchNormGrad",
  "SamSoftmaxGrad",
  "SamAllFinite",
  "SamUnderdampedLangevinUpdate",
  "SamAdaptiveLangevinFirstHalf",
  "SamAdaptiveLangevinSecondHalf",
  "_FusedMatMul",
];

/** Options of {@link registerWasmTrainingKernels}. */
export interface RegisterWasmTrainingKernelsOptions {
  /** Register only these kernels (default: all of {@link WASM_TRAINING_KERNELS}). */
  only?: readonly WasmTrainingKernelName[];
}

const MARK = Symbol.for("@sam/backend/kernel");
/** Kernels that wasm ships and this package replaces, kept so a replacement can fall back. */
const NATIVE_KEY = Symbol.for("@sam/backend/nativeWasmKernels");
type Marked = tf.KernelConfig & { [MARK]?: true };

function nativeKernels(): Map<string, tf.KernelConfig> {
  const g = globalThis as unknown as Record<symbol, Map<string, tf.KernelConfig> | undefined>;
  g[NATIVE_KEY] ??= new Map();
  return g[NATIVE_KEY]!;
}

function requireNative(name: string, existing: tf.KernelConfig | undefined): tf.KernelConfig {
  if (!existing) {
    throw new Error(
      `registerWasmTrainingKernels: the wasm backend's own '${name}' kernel is not registered; ` +
        "import '@tensorflow/tfjs-backend-wasm' before calling it.",
    );
  }
  return existing;
}

function build(name: WasmTrainingKernelName, existing: tf.KernelConfig | undefined): tf.KernelConfig {
  switch (name) {
    case "Conv2DBackpropFilter":
      return conv2dBackpropFilterConfig;
    case "Conv2DBackpropInput":
      return conv2dBackpropInputConfig;
    case "DepthwiseConv2dNativeBackpropFilter":
      return depthwiseConv2dNativeBackpropFilterConfig;
    case "DepthwiseConv2dNativeBackpropInput":
      return depthwiseConv2dNativeBackpropInputConfig;
    case "UnsortedSegmentSum":
      return unsortedSegmentSumConfig;
    case "Tile":
      return makeTileConfig(requireNative(name, existing));
    case "FusedBatchNorm":
      return makeFusedBatchNormConfig(requireNative(name, existing));
    case "Sum":
    case "Mean":
      return makeChannelReduceConfig(requireNative(name, existing), name);
    case "Add":
    case "Sub":
    case "Multiply":
      return makeChannelBroadcastConfig(requireNative(name, existing), name);
    case "Identity":
      return makeIdentityConfig(requireNative(name, existing));
    case "Cast":
      return makeCastConfig(requireNative(name, existing));
    case "BatchMatMul":
      return makeBatchMatMulConfig(requireNative(name, existing));
    case "_FusedMatMul":
      return makeFusedMatMulConfig(requireNative(name, existing));
    case "Conv2D":
    case "FusedConv2D":
      return makeConv2dConfig(requireNative(name, existing), name);
    case "Exp":
    case "Erf":
    case "Rsqrt":
      return makeUnaryElementwiseConfig(requireNative(name, existing), name);
    case "Transpose":
      return makeTransposeConfig(requireNative(name, existing));
    case "SamElementwiseBatchNormGrad":
      return elementwiseBatchNormGradConfig;
    case "SamSoftmaxGrad":
      return softmaxGradConfig;
    case "SamAllFinite":
      return allFiniteConfig;
    case "SamUnderdampedLangevinUpdate":
      return underdampedLangevinUpdateConfig;
    case "SamAdaptiveLangevinFirstHalf":
      return adaptiveLangevinFirstHalfConfig;
    case "SamAdaptiveLangevinSecondHalf":
      return adaptiveLangevinSecondHalfConfig;
  }
}

/**
 * Installs this package's training kernels on the `wasm` backend of the global tfjs engine:
 * the filter gradient of `conv2d` (missing in tfjs-backend-wasm), a faster input gradient, and
 * `Conv2D`/`FusedConv2D` (these three by compiled direct SIMD kernels, `kernels-c/convKernels.c`,
 * split over a worker thread on the threaded build),
 * both depthwise backprops (missing), a block-copy `Tile` (the batch-norm gradient's hot
 * spot), `UnsortedSegmentSum` (missing; the gradient of `gather`, i.e. of embeddings), and SIMD
 * versions of the batch-norm hot spots: `FusedBatchNorm` (per channel, and elementwise as
 * tfjs-layers' `LayerNormalization` calls it), per-channel `Sum`/`Mean` and
 * channel-broadcast `Add`/`Sub`/`Multiply` (other shapes go to the native kernels), and `Identity` and
 * same-dtype `Cast` without a copy (shared buffers, as on cpu), `BatchMatMul` and `_FusedMatMul`
 * on a compiled SIMD kernel (`kernels-c/matMul.c`, split over the worker thread too), and SIMD `Exp`, `Erf`, `Rsqrt` and the head split/merge
 * `Transpose` (`kernels-c/elementwise.c`: a transformer's GELU, attention and LayerNormalization),
 * and this package's `SamElementwiseBatchNormGrad` and `SamSoftmaxGrad` (LayerNormalization's
 * batch-norm gradient and the softmax gradient, each in one pass; `registerTrainingGradients`'
 * gradients call them), and `SamAllFinite` (whether a step's loss and moved variables are all
 * finite, in one call: `@sam/core`'s `GroupedOptimizer` uses it where it is registered), and
 * `SamUnderdampedLangevinUpdate`, `SamAdaptiveLangevinFirstHalf` and
 * `SamAdaptiveLangevinSecondHalf` (`@sam/langevin`'s parameter updates in one pass per tensor,
 * `kernels-c/langevinUpdates.c`, the same numbers bit for bit as its tfjs composition).
 * Each one is checked against the cpu backend in this package's tests.
 *
 * Idempotent: kernels this package already registered are left alone, and replaced native
 * kernels are remembered (on `globalThis`) so a replacement can fall back to them. Registering
 * before or after `tf.setBackend("wasm")` both work. Returns the names registered by this call.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmTrainingKernels } from "@sam/backend";
 * registerWasmTrainingKernels();
 * await tf.setBackend("wasm");
 * ```
 */
export function registerWasmTrainingKernels(
  options: RegisterWasmTrainingKernelsOptions = {},
): WasmTrainingKernelName[] {
  const names = options.only ?? WASM_TRAINING_KERNELS;
  const registered: WasmTrainingKernelName[] = [];
  for (const name of names) {
    if (!WASM_TRAINING_KERNELS.includes(name)) {
      throw new Error(
        `registerWasmTrainingKernels: only contains '${String(name)}', which is not a kernel of this ` +
          `package; use some of ${WASM_TRAINING_KERNELS.join(", ")}.`,
      );
    }
    const existing = tf.getKernel(name, "wasm") as Marked | undefined;
    if (existing?.[MARK]) continue;
    if (existing) {
      nativeKernels().set(name, existing);
      tf.unregisterKernel(name, "wasm");
    }
    const config: Marked = { ...build(name, existing), [MARK]: true };
    tf.registerKernel(config);
    registered.push(name);
  }
  return registered;
}

/**
 * Undoes {@link registerWasmTrainingKernels}: removes this package's kernels from the wasm
 * backend and puts back the native ones they replaced. Mostly for tests and benchmarks.
 *
 * @example
 * ```ts
 * unregisterWasmTrainingKernels();
 * ```
 */
export function unregisterWasmTrainingKernels(): void {
  for (const name of WASM_TRAINING_KERNELS) {
    const existing = tf.getKernel(name, "wasm") as Marked | undefined;
    if (!existing?.[MARK]) continue;
    tf.unregisterKernel(name, "wasm");
    const native = nativeKernels().get(name);
    if (native) tf.registerKernel(native);
  }
}

import * as tf from "@tensorflow/tfjs-core";
import { makeFusedBatchNormGradConfig } from "./gradients/fusedBatchNormGrad";
import { meanGradConfig, sumGradConfig } from "./gradients/reduceGrads";
import { makeSoftmaxGradConfig } from "./gradients/softmaxGrad";
import { tileGradConfig } from "./gradients/tileGrad";

const MARK = Symbol.for("@sam/backend/gradient");
const ORIGINAL_KEY = Symbol.for("@sam/backend/originalGradients");
type Marked = tf.GradConfig & { [MARK]?: true };

function originals(): Map<string, tf.GradConfig> {
  const g = globalThis as unknown as Record<symbol, Map<string, tf.GradConfig> | undefined>;
  g[ORIGINAL_KEY] ??= new Map();
  return g[ORIGINAL_KEY]!;
}

/**
 * Kernels whose gradient {@link registerTrainingGradients} replaces.
 *
 * @example
 * ```ts
 * TRAINING_GRADIENTS.includes("FusedBatchNorm"); // true
 * ```
 */
export const TRAINING_GRADIENTS = ["FusedBatchNorm", "Sum", "Mean", "Tile", "Softmax"] as const;

/**
 * Replaces tfjs-core's gradients of `FusedBatchNorm`, `Sum`, `Mean`, `Tile` and `Softmax` with
 * cheaper forms of the same math (closed-form batch-norm gradient; broadcasts instead of products
 * with `ones`; one reshape-and-sum instead of a slice and an add per copy). This is what makes the
 * batch-norm backward of tfjs-layers' `BatchNormalization` (moments + fused batch norm) cost
 * ~8 full-size passes instead of ~25, and the backward of its `LayerNormalization` (which
 * tiles gamma and beta to every token) a few kernels instead of ~2 x batch x tokens.
 *
 * Gradients are global in tfjs (shared by every backend), so these are written with plain ops
 * and are exact on every backend; the tests compare them with tfjs-core's on cpu. Two of them
 * call a compiled wasm kernel where the active backend has it (`registerWasmTrainingKernels`):
 * LayerNormalization's batch-norm gradient (`SamElementwiseBatchNormGrad`) and the softmax's
 * over its last axis (`SamSoftmaxGrad`, else tfjs-core's). Import
 * `@tensorflow/tfjs` (which registers tfjs-core's gradients) before calling this. Idempotent;
 * returns the kernel names replaced by this call.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerTrainingGradients } from "@sam/backend";
 * registerTrainingGradients();
 * ```
 */
export function registerTrainingGradients(): string[] {
  const replaced: string[] = [];
  for (const name of TRAINING_GRADIENTS) {
    const existing = tf.getGradient(name) as Marked | undefined;
    if (existing?.[MARK]) continue;
    if (!existing) {
      throw new Error(
        `registerTrainingGradients: no gradient is registered for '${name}'; import '@tensorflow/tfjs' ` +
          "(which registers tfjs-core's gradients) before calling it.",
      );
    }
    originals().set(name, existing);
    const config =
      name === "FusedBatchNorm"
        ? makeFusedBatchNormGradConfig(existing)
        : name === "Sum"
          ? sumGradConfig
          : name === "Mean"
            ? meanGradConfig
            : name === "Softmax"
              ? makeSoftmaxGradConfig(existing)
              : tileGradConfig;
    tf.registerGradient({ ...config, [MARK]: true } as Marked);
    replaced.push(name);
  }
  return replaced;
}

/**
 * Puts tfjs-core's gradients back (undoes {@link registerTrainingGradients}).
 *
 * @example
 * ```ts
 * unregisterTrainingGradients();
 * ```
 */
export function unregisterTrainingGradients(): void {
  for (const name of TRAINING_GRADIENTS) {
    const existing = tf.getGradient(name) as Marked | undefined;
    const original = originals().get(name);
    if (existing?.[MARK] && original) tf.registerGradient(original);
  }
}

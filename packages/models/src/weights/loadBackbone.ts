import type * as tfl from "@tensorflow/tfjs-layers";
import type { WithSamMeta } from "../samMeta";
import { loadWeights } from "./loadWeights";
import type { WeightsReport } from "./weightsReport";

/** Options of {@link loadBackbone}. */
export interface LoadBackboneOptions {
  /** Layers not to load (the new head). Default: the model's `samMeta.head`. */
  head?: string[];
  /**
   * Whether every non-head weight must match exactly (default true). With `false`, body weights
   * missing from the checkpoint stay initialized and extra checkpoint weights are skipped.
   */
  strict?: boolean;
}

/**
 * Transfer learning: loads every weight of a checkpoint into `model` except the head layers,
 * which keep their fresh initialization (the checkpoint's head may have another number of
 * classes). Body weights must match by path, shape and dtype, otherwise the error lists every
 * mismatch. BatchNorm moving statistics of the body are loaded too.
 *
 * @param model - The new model, e.g. the same architecture with another `numClasses`.
 * @param dir - The checkpoint directory of the pretrained model.
 * @param options - See {@link LoadBackboneOptions}.
 * @returns A {@link WeightsReport}: `loaded` body paths, `skipped` checkpoint head paths,
 *   `initialized` new head paths.
 * @throws If `model` has no `samMeta` and no `head` option, or on a body mismatch.
 *
 * @example
 * ```ts
 * import { smallConvNet } from '@sam/models';
 * import { loadBackbone, saveWeights } from '@sam/models/node';
 *
 * const pre = smallConvNet({ numClasses: 5 });  // ... train on task A, then:
 * await saveWeights(pre, './ckpt/taskA');
 * const fine = smallConvNet({ numClasses: 3, seed: 2 });
 * const report = await loadBackbone(fine, './ckpt/taskA');
 * report.initialized; // ['head/kernel', 'head/bias']
 * ```
 */
export async function loadBackbone(
  model: tfl.LayersModel,
  dir: string,
  options: LoadBackboneOptions = {},
): Promise<WeightsReport> {
  const head = options.head ?? (model as WithSamMeta).samMeta?.head;
  if (!head || head.length === 0) {
    throw new Error(
      "loadBackbone: the model has no samMeta.head; pass the head layer names, e.g. { head: ['head'] }.",
    );
  }
  const names = new Set(model.layers.map((l) => l.name));
  const unknown = head.filter((h) => !names.has(h));
  if (unknown.length > 0) {
    throw new Error(`loadBackbone: head layer(s) ${unknown.join(", ")} not in model '${model.name}'.`);
  }
  return loadWeights(model, dir, { strict: options.strict ?? true, excludeLayers: head });
}

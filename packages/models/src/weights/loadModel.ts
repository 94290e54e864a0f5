import * as tfl from "@tensorflow/tfjs-layers";
import { registerSamLayers } from "../layers/registerSamLayers";
import type { SamModel, SamModelMeta } from "../samMeta";
import { fileHandler } from "./fileHandler";

/**
 * Rebuilds a model (topology and weights) saved by `saveWeights`, including this package's custom
 * layers, and restores its `samMeta` from the checkpoint's `userDefinedMetadata`.
 *
 * @param dir - The checkpoint directory.
 * @returns The model; `samMeta` is present when the saved model had it.
 * @throws If the checkpoint is missing, truncated or its topology cannot be deserialized.
 *
 * @example
 * ```ts
 * import { vit } from '@sam/models';
 * import { loadModel, saveWeights } from '@sam/models/node';
 *
 * await saveWeights(vit({ imageSize: 32, patchSize: 4, dim: 64, depth: 4, heads: 4, numClasses: 10 }), './vit');
 * const model = await loadModel('./vit');
 * model.samMeta?.blocks; // ['embed', 'block1', ..., 'head']
 * ```
 */
export async function loadModel(dir: string): Promise<tfl.LayersModel & Partial<SamModel>> {
  registerSamLayers();
  const handler = fileHandler(dir);
  let meta: SamModelMeta | undefined;
  const model = await tfl.loadLayersModel({
    load: async () => {
      const artifacts = await handler.load();
      meta = (artifacts.userDefinedMetadata as { samMeta?: SamModelMeta } | undefined)?.samMeta;
      return artifacts;
    },
  });
  return meta ? Object.assign(model, { samMeta: meta }) : model;
}

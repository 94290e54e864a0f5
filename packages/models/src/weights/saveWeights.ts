import * as tfc from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { WithSamMeta } from "../samMeta";
import { fileHandler } from "./fileHandler";

/**
 * Saves `model`'s topology and all its weights (trainable ones and BatchNorm moving statistics)
 * to `dir` in the tfjs layers-model format: `dir/model.json` + `dir/weights.bin`. The write is
 * atomic (see {@link fileHandler}); `samMeta`, when present, is stored in `userDefinedMetadata`
 * so that {@link loadModel} restores it. Weights are keyed by their stable path
 * `layerName/weightName` (`LayerVariable.originalName`), not by the engine's uniquified names.
 *
 * @param model - The model to save.
 * @param dir - Target directory (created; an existing checkpoint there is replaced atomically).
 * @returns The number of weight tensors and bytes written.
 * @throws If two weights share a path, or `dir` holds foreign files.
 *
 * @example
 * ```ts
 * const model = cifarResNet({ depth: 20 });
 * await saveWeights(model, './checkpoints/resnet20');
 * ```
 */
export async function saveWeights(
  model: tfl.LayersModel,
  dir: string,
): Promise<{ tensors: number; bytes: number }> {
  const named: { name: string; tensor: tfc.Tensor }[] = [];
  const seen = new Set<string>();
  for (const w of model.weights) {
    if (seen.has(w.originalName)) {
      throw new Error(
        `saveWeights: two weights share the path '${w.originalName}'. Give every layer a unique name.`,
      );
    }
    seen.add(w.originalName);
    named.push({ name: w.originalName, tensor: w.read() });
  }
  const { data, specs } = await tfc.io.encodeWeights(named);
  const samMeta = (model as WithSamMeta).samMeta;
  const artifacts: tfc.io.ModelArtifacts = {
    modelTopology: model.toJSON(null, false) as {},
    weightSpecs: specs,
    weightData: data,
    format: "layers-model",
  };
  if (samMeta) artifacts.userDefinedMetadata = { samMeta: samMeta as unknown as {} };
  await fileHandler(dir).save(artifacts);
  return { tensors: named.length, bytes: data.byteLength };
}

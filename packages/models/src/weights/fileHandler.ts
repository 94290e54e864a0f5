import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import * as tfc from "@tensorflow/tfjs-core";
import { atomicWriteDir } from "../internal/atomicWriteDir";
import { resolveInside } from "../fs/resolveInside";

/** Name of the topology + manifest file (the tfjs "layers-model" format). */
export const MODEL_JSON = "model.json";
/** Name of the single weight shard this handler writes (it reads any shard the manifest names). */
export const WEIGHTS_BIN = "weights.bin";

const BYTES_PER_DTYPE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * Byte length of the weights described by `specs` (`sum over specs of prod(shape) x bytes(dtype)`,
 * using the quantized dtype when the spec is quantized). Strings are not supported.
 */
export function weightBytes(specs: readonly tfc.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const s of specs) {
    const dtype = s.quantization?.dtype ?? s.dtype;
    const bytes = BYTES_PER_DTYPE[dtype];
    if (bytes === undefined) throw new Error(`weight '${s.name}': unsupported dtype '${dtype}'.`);
    total += s.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

/**
 * A `tf.io.IOHandler` whose `save` and `load` are both defined.
 *
 * @example
 * ```ts
 * const handler: FileHandler = fileHandler('./ckpt');
 * const artifacts = await handler.load();
 * ```
 */
export type FileHandler = tfc.io.IOHandler & Required<Pick<tfc.io.IOHandler, "save" | "load">>;

/**
 * A `tf.io.IOHandler` that saves to and loads from a directory in Node, in the tfjs
 * "layers-model" format (`model.json` with topology and weights manifest, plus `weights.bin`),
 * without `@tensorflow/tfjs-node`.
 *
 * - `save` is atomic: it writes into a fresh sibling directory `.<name>.tmp-*`, fsyncs the files,
 *   then renames it over `dir` (moving an old checkpoint aside first and deleting it after). A
 *   crash leaves either the old or the new checkpoint, never a half-written one (at worst `dir`
 *   is briefly absent and a stale `.<name>.old-*` remains). It refuses to replace a directory that
 *   holds anything but `model.json` and `*.bin` files.
 * - `load` reads every shard the manifest lists (so checkpoints written by tfjs-node or the Python
 *   converter, with several `group1-shardXofY.bin` files, load too) and checks their total length
 *   against the manifest. Every shard path must stay inside `dir`: an absolute path, a `..` that
 *   climbs out, or a symbolic link leading out (`model.json` itself included) is refused with an
 *   error naming the path, before anything is read.
 *
 * @param dir - The checkpoint directory.
 * @returns An IOHandler usable with `model.save(handler)` and `tf.loadLayersModel(handler)`.
 *
 * @example
 * ```ts
 * await model.save(fileHandler('./ckpt/resnet20'));
 * const again = await tf.loadLayersModel(fileHandler('./ckpt/resnet20'));
 * ```
 */
export function fileHandler(dir: string): FileHandler {
  const target = resolve(dir);
  return {
    async save(artifacts: tfc.io.ModelArtifacts): Promise<tfc.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(`fileHandler('${dir}').save: binary (GraphDef) topologies are not supported.`);
      }
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const data = new Uint8Array(
        Array.isArray(weightData) ? tfc.io.concatenateArrayBuffers(weightData) : weightData,
      );
      const modelJson: tfc.io.ModelJSON & Record<string, unknown> = {
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers (via @sam/models)`,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology as {},
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      const json = JSON.stringify(modelJson);
      await atomicWriteDir(target, isCheckpointFile, [
        [WEIGHTS_BIN, data],
        [MODEL_JSON, Buffer.from(json, "utf8")],
      ]);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelJson.modelTopology), "utf8"),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? []), "utf8"),
          weightDataBytes: data.byteLength,
        },
      };
    },

    async load(): Promise<tfc.io.ModelArtifacts> {
      const fn = `fileHandler('${dir}').load`;
      const jsonPath = resolveInside(target, MODEL_JSON, `${fn}: the checkpoint's ${MODEL_JSON}`);
      let text: string;
      try {
        text = await readFile(jsonPath, "utf8");
      } catch (e) {
        throw new Error(
          `fileHandler('${dir}').load: cannot read ${jsonPath} (${(e as Error).message}). ` +
            "Pass the directory that saveWeights(model, dir) or model.save(fileHandler(dir)) wrote.",
        );
      }
      let modelJson: tfc.io.ModelJSON;
      try {
        modelJson = JSON.parse(text) as tfc.io.ModelJSON;
      } catch (e) {
        throw new Error(
          `fileHandler('${dir}').load: ${jsonPath} is not valid JSON (${(e as Error).message}).`,
        );
      }
      if (!Array.isArray(modelJson.weightsManifest)) {
        throw new Error(`fileHandler('${dir}').load: ${jsonPath} has no weightsManifest array.`);
      }
      return tfc.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const parts: Uint8Array[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const file = resolveInside(target, p, `${fn}: a weight path in ${MODEL_JSON}`);
            try {
              parts.push(await readFile(file));
            } catch (e) {
              throw new Error(
                `fileHandler('${dir}').load: cannot read weight shard ${file} named in model.json ` +
                  `(${(e as Error).message}). Copy every shard beside model.json.`,
              );
            }
          }
        }
        const total = parts.reduce((s, p) => s + p.byteLength, 0);
        const expected = weightBytes(specs);
        if (total !== expected) {
          throw new Error(
            `fileHandler('${dir}').load: the weight shards hold ${total} bytes but model.json's manifest ` +
              `describes ${expected} bytes: the checkpoint is truncated or its files come from different saves.`,
          );
        }
        const all = new Uint8Array(total);
        let off = 0;
        for (const p of parts) {
          all.set(p, off);
          off += p.byteLength;
        }
        return [specs, all.buffer];
      });
    },
  };
}

/** Files that a checkpoint directory may hold; anything else makes `save` refuse to replace it. */
function isCheckpointFile(name: string): boolean {
  return name === MODEL_JSON || name.endsWith(".bin");
}

import * as tfc from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { fileHandler } from "./fileHandler";
import type { WeightsReport } from "./weightsReport";

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /**
   * `true` (default): the checkpoint must hold exactly the model's weights (same paths, shapes and
   * dtypes). `false`: model weights absent from the checkpoint stay as they are (`initialized`) and
   * checkpoint weights the model lacks are ignored (`skipped`); shape/dtype mismatches still throw.
   */
  strict?: boolean;
  /** Layer names whose weights are not loaded (kept as initialized; the checkpoint's are skipped). */
  excludeLayers?: string[];
}

/** The layer name of a path `layerName/weightName`. */
function layerOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(0, i);
}

/**
 * Loads weights saved by `saveWeights` (or any tfjs layers-model checkpoint) from `dir` into
 * `model`, matching by path `layerName/weightName`. Bit-exact: values are copied, not recomputed.
 *
 * All checks run before any weight is written, so a failed load leaves the model unchanged. A
 * mismatch error lists every mismatch (missing, unexpected, wrong shape, wrong dtype) at once.
 *
 * @param model - The model to fill.
 * @param dir - The checkpoint directory.
 * @param options - See {@link LoadWeightsOptions}.
 * @returns A {@link WeightsReport}.
 * @throws If the checkpoint cannot be read, or on any mismatch (see `strict`).
 *
 * @example
 * ```ts
 * const model = cifarResNet({ depth: 20 });
 * const report = await loadWeights(model, './checkpoints/resnet20');
 * report.loaded.length; // 107: 21 conv kernels, 21 x 4 BatchNorm tensors, head kernel + bias
 * ```
 */
export async function loadWeights(
  model: tfl.LayersModel,
  dir: string,
  options: LoadWeightsOptions = {},
): Promise<WeightsReport> {
  const { strict = true, excludeLayers = [] } = options;
  const excluded = new Set(excludeLayers);
  const artifacts = await fileHandler(dir).load();
  const specs = artifacts.weightSpecs ?? [];
  const specByName = new Map(specs.map((s) => [s.name, s]));
  const problems: string[] = [];
  const report: WeightsReport = { loaded: [], skipped: [], initialized: [] };
  const toWrite: [tfl.LayerVariable, string][] = [];
  const modelPaths = new Set<string>();

  for (const w of model.weights) {
    const path = w.originalName;
    modelPaths.add(path);
    if (excluded.has(layerOf(path))) {
      report.initialized.push(path);
      continue;
    }
    const spec = specByName.get(path);
    if (!spec) {
      if (strict) problems.push(`missing in checkpoint: ${path} ${JSON.stringify(w.shape)}`);
      else report.initialized.push(path);
      continue;
    }
    const shape = w.shape as number[];
    if (spec.shape.length !== shape.length || spec.shape.some((d, i) => d !== shape[i])) {
      problems.push(
        `shape mismatch: ${path} is ${JSON.stringify(shape)} in the model, ${JSON.stringify(spec.shape)} in the checkpoint`,
      );
    } else if (spec.dtype !== w.dtype) {
      problems.push(`dtype mismatch: ${path} is ${w.dtype} in the model, ${spec.dtype} in the checkpoint`);
    } else {
      toWrite.push([w, path]);
    }
  }
  for (const s of specs) {
    if (modelPaths.has(s.name) && !excluded.has(layerOf(s.name))) continue;
    if (modelPaths.has(s.name) || excluded.has(layerOf(s.name)) || !strict) report.skipped.push(s.name);
    else problems.push(`unexpected in checkpoint (not in the model): ${s.name} ${JSON.stringify(s.shape)}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `loadWeights('${dir}'): ${problems.length} mismatch(es) between the model '${model.name}' and the checkpoint:\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nBuild the model with the same options as the saved one, pass { strict: false } to load the " +
        "matching subset, or use loadBackbone for a model with a different head.",
    );
  }
  const tensors = tfc.io.decodeWeights(artifacts.weightData!, specs);
  try {
    for (const [w, path] of toWrite) {
      w.write(tensors[path]!);
      report.loaded.push(path);
    }
  } finally {
    tfc.dispose(Object.values(tensors));
  }
  return report;
}

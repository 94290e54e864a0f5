import type * as tfl from "@tensorflow/tfjs-layers";
import type { WithSamMeta } from "../samMeta";

/**
 * Tags of one parameter by the rule table `@sam/core` uses (layer class, weight name, rank),
 * plus `samMeta.tags`. A mirror kept here for tests and the README tables; `@sam/core` is the
 * source of truth at run time.
 */
export function tagsOf(className: string, weightName: string, rank: number, extra?: string[]): string[] {
  const tags: string[] = [];
  if ((className === "BatchNormalization" || className === "LayerNormalization") && weightName === "gamma") {
    tags.push("norm", "norm-scale");
  } else if (
    (className === "BatchNormalization" || className === "LayerNormalization") &&
    weightName === "beta"
  ) {
    tags.push("norm", "norm-shift");
  } else if ((className === "Dense" || className.startsWith("Conv")) && weightName === "kernel") {
    tags.push("weight");
  } else if (weightName === "bias") {
    tags.push("bias");
  } else if (className === "Embedding" && weightName === "embeddings") {
    tags.push("embedding");
  } else if (!extra) {
    tags.push(rank <= 1 ? "vector" : "weight");
  }
  for (const t of extra ?? []) if (!tags.includes(t)) tags.push(t);
  return tags;
}

/** Per-tag tensor and scalar counts over the trainable weights of `model`. */
export interface ParamSummary {
  trainableParams: number;
  totalParams: number;
  trainableTensors: number;
  byTag: Record<string, { tensors: number; params: number }>;
}

/** Summarizes the trainable parameters of `model` by tag (see {@link tagsOf}). */
export function summarizeParams(model: tfl.LayersModel): ParamSummary {
  const extra = (model as WithSamMeta).samMeta?.tags ?? {};
  const byTag: Record<string, { tensors: number; params: number }> = {};
  let trainableParams = 0;
  let trainableTensors = 0;
  for (const layer of model.layers) {
    for (const w of layer.trainableWeights) {
      const path = w.originalName;
      const weightName = path.slice(path.lastIndexOf("/") + 1);
      const size = (w.shape as number[]).reduce((a, b) => a * b, 1);
      trainableParams += size;
      trainableTensors += 1;
      for (const t of tagsOf(layer.getClassName(), weightName, w.shape.length, extra[path])) {
        byTag[t] ??= { tensors: 0, params: 0 };
        byTag[t].tensors += 1;
        byTag[t].params += size;
      }
    }
  }
  return { trainableParams, totalParams: model.countParams(), trainableTensors, byTag };
}

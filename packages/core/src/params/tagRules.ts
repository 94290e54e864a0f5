import type { ParamTag } from "./param";

/**
 * One row of the tag table: a parameter whose layer class, weight name and rank all match
 * gets `tags`. A field left out matches anything.
 *
 * - `layerClass`: the owning layer's `getClassName()` (one or several).
 * - `weightName`: the last path segment, e.g. `kernel`, `gamma` (one or several).
 * - `rank`: exact rank, or an inclusive `[min, max]` range.
 */
export interface TagRule {
  readonly layerClass?: string | readonly string[];
  readonly weightName?: string | readonly string[];
  readonly rank?: number | readonly [number, number];
  readonly tags: readonly ParamTag[];
}

const NORM_LAYERS = ["BatchNormalization", "LayerNormalization", "GroupNormalization"];
const RNN_LAYERS = ["LSTM", "GRU", "SimpleRNN", "LSTMCell", "GRUCell", "SimpleRNNCell", "ConvLSTM2D"];

/**
 * The default tag table, tried in order; the first matching row gives a parameter its tags.
 * Rows are keyed by layer class, weight name and rank, never by substrings of names.
 *
 * @example
 * ```ts
 * import { defaultTagRules, tagsFor } from "@sam/core";
 *
 * tagsFor(defaultTagRules, { layerClass: "BatchNormalization", weightName: "gamma", rank: 1 });
 * // Set {"norm", "norm-scale"}
 * ```
 */
export const defaultTagRules: readonly TagRule[] = Object.freeze([
  { layerClass: NORM_LAYERS, weightName: "gamma", tags: ["norm", "norm-scale"] },
  { layerClass: NORM_LAYERS, weightName: "beta", tags: ["norm", "norm-shift"] },
  {
    layerClass: ["DepthwiseConv2D", "SeparableConv2D"],
    weightName: "depthwise_kernel",
    tags: ["weight", "depthwise"],
  },
  { layerClass: "SeparableConv2D", weightName: "pointwise_kernel", tags: ["weight", "pointwise"] },
  { layerClass: "Embedding", weightName: "embeddings", tags: ["embedding"] },
  { layerClass: RNN_LAYERS, weightName: "recurrent_kernel", tags: ["weight", "recurrent"] },
  { weightName: "kernel", tags: ["weight"] },
  { weightName: "bias", tags: ["bias"] },
  { weightName: "embeddings", tags: ["embedding"] },
  { rank: [0, 1], tags: ["vector"] },
  { rank: [2, Number.POSITIVE_INFINITY], tags: ["weight"] },
]);

/** What a tag rule is matched against. */
export interface TagSubject {
  readonly layerClass?: string;
  readonly weightName: string;
  readonly rank: number;
}

/**
 * The tags of the first rule in `rules` that matches `subject` (empty when none does).
 *
 * @example
 * ```ts
 * import { defaultTagRules, tagsFor } from "@sam/core";
 *
 * tagsFor(defaultTagRules, { layerClass: "Dense", weightName: "kernel", rank: 2 }); // Set {"weight"}
 * ```
 */
export function tagsFor(rules: readonly TagRule[], subject: TagSubject): Set<ParamTag> {
  for (const rule of rules) {
    if (matches(rule, subject)) return new Set(rule.tags);
  }
  return new Set();
}

function matches(rule: TagRule, s: TagSubject): boolean {
  if (rule.layerClass !== undefined) {
    const classes = typeof rule.layerClass === "string" ? [rule.layerClass] : rule.layerClass;
    if (s.layerClass === undefined || !classes.includes(s.layerClass)) return false;
  }
  if (rule.weightName !== undefined) {
    const names = typeof rule.weightName === "string" ? [rule.weightName] : rule.weightName;
    if (!names.includes(s.weightName)) return false;
  }
  if (rule.rank !== undefined) {
    const [lo, hi] = typeof rule.rank === "number" ? [rule.rank, rule.rank] : rule.rank;
    if (s.rank < lo || s.rank > hi) return false;
  }
  return true;
}

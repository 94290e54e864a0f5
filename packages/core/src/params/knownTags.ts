import { BUILTIN_TAGS, type Param } from "./param";

/**
 * The tags a selector over these parameters may name: the built-in vocabulary
 * ({@link BUILTIN_TAGS}) plus every tag some parameter carries. What `compileSelector` checks
 * a `{ tag }` selector against, so that a misspelt tag is an error rather than an empty group.
 *
 * @param params A `ParamSet` or any list of parameters.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { compileSelector, fromVariables, knownTags } from "@sam/core";
 *
 * const params = fromVariables({ w: tf.variable(tf.ones([2, 2])) });
 * const isWeight = compileSelector({ tag: "weight" }, { knownTags: knownTags(params) });
 * isWeight(params.get("w")); // true
 * ```
 */
export function knownTags(params: Iterable<Param>): ReadonlySet<string> {
  const tags = new Set<string>(BUILTIN_TAGS);
  for (const p of params) for (const t of p.tags) tags.add(t);
  return tags;
}

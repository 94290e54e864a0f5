import type * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import { type Param, ParamSet, type ParamTag, sizeOf } from "./param";
import { defaultTagRules, type TagRule, tagsFor } from "./tagRules";

/** Options of {@link fromVariables}. */
export interface FromVariablesOptions {
  /** Tags for each parameter by path; replaces the rule-based tags for the paths it names. */
  readonly tags?: Readonly<Record<string, readonly ParamTag[]>>;
  /** Rows tried before {@link defaultTagRules} (matched on the path's last segment and the rank). */
  readonly tagRules?: readonly TagRule[];
}

/**
 * Builds a {@link ParamSet} from plain variables: a record (`path` = key) or a list
 * (`path` = `variable.name`). Tags come from `options.tags`, else from the tag table by
 * the path's last segment and the rank (`w` of rank 2 is a `weight`, a rank-1 `b` a `vector`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromVariables } from "@sam/core";
 *
 * const params = fromVariables(
 *   { "layer1/kernel": tf.variable(tf.randomNormal([2, 3])), "layer1/bias": tf.variable(tf.zeros([3])) },
 * );
 * [...params.get("layer1/bias").tags]; // ["bias"]
 * ```
 */
export function fromVariables(
  variables: readonly tf.Variable[] | Readonly<Record<string, tf.Variable>>,
  options: FromVariablesOptions = {},
): ParamSet {
  const entries: [string, tf.Variable][] = Array.isArray(variables)
    ? (variables as readonly tf.Variable[]).map((v) => [v.name, v])
    : Object.entries(variables as Record<string, tf.Variable>);
  if (entries.length === 0) {
    throw new SamConfigError(
      "fromVariables() got no variables: a ParamSet needs at least one. Pass a list of tf.Variable or a record { path: variable }.",
    );
  }
  const rules = [...(options.tagRules ?? []), ...defaultTagRules];
  for (const path of Object.keys(options.tags ?? {})) {
    if (!entries.some(([p]) => p === path)) {
      throw new SamConfigError(
        `fromVariables options.tags names ${JSON.stringify(path)}, which is not one of the variables ` +
          `(${entries.map(([p]) => JSON.stringify(p)).join(", ")}). Use the same keys as the variables.`,
      );
    }
  }
  const params: Param[] = entries.map(([path, variable], index) => {
    if (!variable || typeof (variable as tf.Variable).assign !== "function") {
      throw new SamConfigError(
        `fromVariables: entry ${JSON.stringify(path)} is not a tf.Variable. Wrap tensors with tf.variable(t).`,
      );
    }
    const declared = options.tags?.[path];
    const weightName = path.slice(path.lastIndexOf("/") + 1);
    const tags = declared ? new Set<ParamTag>(declared) : tagsFor(rules, { weightName, rank: variable.rank });
    return { path, variable, tags, index, shape: [...variable.shape], size: sizeOf(variable.shape) };
  });
  return new ParamSet(params);
}

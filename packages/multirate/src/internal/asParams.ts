import { collectParams, type LayersModelLike, type ParamSet, SamConfigError } from "@sam/core";

/** A model (`tf.LayersModel`) or the {@link ParamSet} of one. */
export type ModelOrParams = LayersModelLike | ParamSet;

/** Whether `x` is a ParamSet (checked structurally: no cross-package `instanceof`). */
export function isParamSet(x: unknown): x is ParamSet {
  const s = x as ParamSet;
  return !!s && Array.isArray(s.params) && typeof s.byVariable === "function";
}

/** The parameters of a model, or the set itself. */
export function asParams(source: ModelOrParams, what: string): ParamSet {
  if (isParamSet(source)) return source;
  if (source && Array.isArray((source as LayersModelLike).layers)) return collectParams(source);
  throw new SamConfigError(
    `${what} is ${typeof source}: pass a tf.LayersModel or a ParamSet from collectParams(model) / fromVariables(...).`,
  );
}

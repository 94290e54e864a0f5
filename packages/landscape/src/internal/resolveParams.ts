import {
  compileSelector,
  knownTags,
  type Param,
  type ParamGroup,
  type ParamSet,
  SamConfigError,
  type Selector,
} from "@sam/core";

/** What the Hessian and sharpness tools accept as "the parameters": a set, a group or a list. */
export type ParamsLike = ParamSet | ParamGroup | readonly Param[];

/** The parameters of a {@link ParamsLike}, optionally narrowed by a selector; never empty. */
export function resolveParams(params: ParamsLike, select?: Selector, what = "params"): readonly Param[] {
  const list: readonly Param[] = Array.isArray(params)
    ? (params as readonly Param[])
    : "label" in (params as ParamGroup)
      ? (params as ParamGroup).params
      : (params as ParamSet).params;
  if (!list || list.length === 0) {
    const label = (params as ParamGroup)?.label;
    throw new SamConfigError(
      `${what} is empty${label ? ` (group ${JSON.stringify(label)})` : ""}: there is no parameter to measure. ` +
        "Pass a ParamSet from collectParams(model) or a non-empty group.",
    );
  }
  if (select === undefined) return list;
  const predicate = compileSelector(select, { knownTags: knownTags(list) });
  const chosen = list.filter(predicate);
  if (chosen.length === 0) {
    throw new SamConfigError(
      `The selector ${JSON.stringify(typeof select === "function" ? "<function>" : select)} selects no parameter ` +
        `of ${list.length} (${list
          .slice(0, 5)
          .map((p) => JSON.stringify(p.path))
          .join(", ")}${list.length > 5 ? ", ..." : ""}). Check it against params.paths() and the tags.`,
    );
  }
  return chosen;
}

import { SamConfigError, show } from "../internal/errors";
import type { Hyper } from "../rules/schedule";
import { knownTags } from "./knownTags";
import type { Param, ParamSet } from "./param";
import { compileSelector, type Selector } from "./selectors";

/** One group of a grouping: a label, which parameters, and hyperparameters for them. */
export interface GroupSpec {
  /** A unique, human label, e.g. `no_decay` or `head`. */
  readonly label: string;
  /** Which parameters join this group (among those earlier groups did not take). */
  readonly select: Selector;
  /** Hyperparameters that override the defaults for this group. */
  readonly hyper?: Hyper;
}

/**
 * A group of parameters with its own hyperparameters. `hyper` is mutable and is read at
 * every step, so a schedule, a callback or a user can change it between steps.
 */
export interface ParamGroup {
  readonly label: string;
  readonly params: readonly Param[];
  hyper: Record<string, Hyper[string]>;
  /** The spec the group was built from (kept for configs). */
  readonly spec: GroupSpec;
}

/** Options of {@link groupParams}. */
export interface GroupParamsOptions {
  /** Hyperparameters every group starts from (a group's own `hyper` overrides them). */
  readonly defaults?: Hyper;
  /**
   * What happens to parameters no group selects: `'error'` (default) names them;
   * `'ignore'` leaves them out, so the optimizer never touches them (frozen).
   */
  readonly onUnmatched?: "error" | "ignore";
  /** Allow a group that selects nothing (default: an error, which usually means a typo). */
  readonly allowEmpty?: boolean;
}

/**
 * Splits a {@link ParamSet} into ordered, disjoint groups: the specs are tried in order
 * and the first one that selects a parameter takes it. Each group's hyperparameters are
 * `{ ...defaults, ...spec.hyper }`.
 *
 * Errors (each names the group or parameter, the value and the fix): a duplicate label,
 * a selector naming an unknown tag, a group that selects nothing (unless `allowEmpty`),
 * parameters no group takes (unless `onUnmatched: 'ignore'`).
 *
 * @example
 * ```ts
 * import { collectParams, groupParams, hasTag, or, everything } from "@sam/core";
 *
 * const groups = groupParams(collectParams(model), [
 *   { label: "no_decay", select: or(hasTag("norm"), hasTag("bias")), hyper: { weightDecay: 0 } },
 *   { label: "rest", select: everything },
 * ], { defaults: { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 } });
 * ```
 */
export function groupParams(
  set: ParamSet,
  specs: readonly GroupSpec[],
  options: GroupParamsOptions = {},
): ParamGroup[] {
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new SamConfigError(
      `groupParams needs at least one group spec, but got ${show(specs)}. For a single group write [{ label: "all", select: everything }].`,
    );
  }
  const tags = knownTags(set.params);
  const labels = new Set<string>();
  const taken = new Set<number>();
  const groups = specs.map((spec, i): ParamGroup => {
    if (typeof spec?.label !== "string" || spec.label.length === 0) {
      throw new SamConfigError(
        `Group #${i} has the label ${show(spec?.label)}: every group needs a non-empty string label.`,
      );
    }
    if (labels.has(spec.label)) {
      throw new SamConfigError(
        `Two groups are labelled ${JSON.stringify(spec.label)}: labels must be unique. Rename one.`,
      );
    }
    labels.add(spec.label);
    if (spec.select === undefined) {
      throw new SamConfigError(
        `Group ${JSON.stringify(spec.label)} has no 'select'. Give it a selector such as { tag: 'norm' } or everything.`,
      );
    }
    const predicate = compileSelector(spec.select, { knownTags: tags });
    const params = set.params.filter((p) => !taken.has(p.index) && predicate(p));
    for (const p of params) taken.add(p.index);
    if (params.length === 0 && !options.allowEmpty) {
      const shadowed = set.params.some((p) => predicate(p));
      throw new SamConfigError(
        `Group ${JSON.stringify(spec.label)} selects no parameter (selector ${show(spec.select)}): ` +
          (shadowed
            ? "every parameter it matches was already taken by an earlier group (first match wins). Move it earlier"
            : "nothing in the model matches it. Check the selector against params.paths() and the tags") +
          ", or pass { allowEmpty: true }.",
      );
    }
    return { label: spec.label, params, hyper: { ...(options.defaults ?? {}), ...(spec.hyper ?? {}) }, spec };
  });
  const unmatched = set.params.filter((p) => !taken.has(p.index));
  if (unmatched.length > 0 && (options.onUnmatched ?? "error") === "error") {
    const list = unmatched.slice(0, 8).map((p) => JSON.stringify(p.path));
    throw new SamConfigError(
      `${unmatched.length} parameter(s) match no group: ${list.join(", ")}${unmatched.length > 8 ? ", ..." : ""}. ` +
        "Add a last group { label: 'rest', select: everything }, or pass { onUnmatched: 'ignore' } to leave them frozen.",
    );
  }
  return groups;
}

/**
 * One group holding every parameter of the set: the ungrouped case.
 *
 * @example
 * ```ts
 * import { singleGroup, fromVariables } from "@sam/core";
 *
 * const groups = singleGroup(fromVariables({ w }), { lr: 0.1 });
 * ```
 */
export function singleGroup(set: ParamSet, hyper: Hyper = {}): ParamGroup[] {
  return groupParams(set, [{ label: "all", select: { all: true } }], { defaults: hyper });
}

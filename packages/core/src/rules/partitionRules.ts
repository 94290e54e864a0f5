import type * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import type { ParamGroup } from "../params/groupParams";
import { type AnyRule, asUpdateRule, type GroupGrads, type RuleState, type UpdateRule } from "./updateRule";

/**
 * State of a {@link partitionRules} rule: each inner rule's state, by the labels it owns.
 *
 * @example
 * ```ts
 * import { adam, type PartitionState, partitionRules, sgd } from "@sam/core";
 *
 * const state = partitionRules({ body: sgd(), head: adam() }).init(optimizer.groups) as PartitionState;
 * state.parts.get("head")?.slots(); // Adam's moments of the head group's parameters
 * state.dispose();
 * ```
 */
export class PartitionState implements RuleState {
  constructor(readonly parts: ReadonlyMap<string, RuleState>) {}
  slots() {
    return [...this.parts.values()].flatMap((s) => s.slots());
  }
  restored() {
    for (const s of this.parts.values()) s.restored?.();
  }
  children() {
    return [...this.parts.values()];
  }
  dispose() {
    for (const s of this.parts.values()) s.dispose();
  }
}

/**
 * A different rule per group, chosen by group label (optax's `partition`): each rule is
 * initialised with, and updates, only its own groups. The rules run every step in the order
 * of the keys of `rules` (so `{ slow, fast }` moves the slow group first). Every group of the
 * optimizer must have a rule here; a label here that no group has is an error too.
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, partitionRules, adam, sgd, collectParams, everything } from "@sam/core";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "head", select: { layerClass: "Dense" }, hyper: { lr: 1e-3 } },
 *     { label: "body", select: everything, hyper: { lr: 0.01 } },
 *   ],
 *   rule: partitionRules({ head: adam(), body: sgd({ momentum: 0.9 }) }),
 * });
 * ```
 */
export function partitionRules(rules: Readonly<Record<string, AnyRule>>): UpdateRule & {
  readonly rules: Readonly<Record<string, UpdateRule>>;
} {
  const labels = Object.keys(rules);
  if (labels.length === 0) {
    throw new SamConfigError(
      "partitionRules({}) has no rules. Map each group label to a rule: { head: adam(), body: sgd() }.",
    );
  }
  const lifted: Record<string, UpdateRule> = Object.fromEntries(
    labels.map((l) => [l, asUpdateRule(rules[l]!)]),
  );
  const check = (groups: readonly ParamGroup[]) => {
    const missing = groups.filter((g) => !lifted[g.label]);
    if (missing.length > 0) {
      throw new SamConfigError(
        `Group ${JSON.stringify(missing[0]!.label)} has no rule in partitionRules (it has rules for ${labels.map((l) => JSON.stringify(l)).join(", ")}). Add { ${JSON.stringify(missing[0]!.label)}: <rule> }.`,
      );
    }
    const unused = labels.filter((l) => !groups.some((g) => g.label === l));
    if (unused.length > 0) {
      throw new SamConfigError(
        `partitionRules has a rule for ${unused.map((l) => JSON.stringify(l)).join(", ")}, but no group has that label (the groups are ${groups.map((g) => JSON.stringify(g.label)).join(", ")}). Remove it or fix the label.`,
      );
    }
  };
  const own = (groups: readonly ParamGroup[], label: string) => groups.filter((g) => g.label === label);
  return {
    kind: "partition",
    rules: lifted,
    defaults: {},
    hyperKeys: (label) => {
      const r = lifted[label];
      return r ? (r.hyperKeys?.(label) ?? Object.keys(r.defaults)) : [];
    },
    init(groups) {
      check(groups);
      return new PartitionState(new Map(labels.map((l) => [l, lifted[l]!.init(own(groups, l))])));
    },
    gradientsNeeded(groups, state, step) {
      const parts = (state as PartitionState).parts;
      return labels.flatMap((l) => {
        const mine = own(groups, l);
        return lifted[l]!.gradientsNeeded?.(mine, parts.get(l)!, step) ?? mine.map((g) => g.label);
      });
    },
    update(groups, grads, state, ctx) {
      const parts = (state as PartitionState).parts;
      let out: Map<string, readonly (tf.Tensor | null)[]> | null = null;
      for (const l of labels) {
        const result = lifted[l]!.update(own(groups, l), grads, parts.get(l)!, ctx);
        if (result) {
          out ??= new Map(grads);
          for (const [k, v] of result) out.set(k, v);
        }
      }
      return out ?? undefined;
    },
    getConfig: () => ({
      kind: "partition",
      rules: Object.fromEntries(labels.map((l) => [l, lifted[l]!.getConfig()])),
    }),
  };
}

/**
 * The all-null gradients of a group (what a rule sees for a group that got no gradient).
 *
 * @example
 * ```ts
 * import { noGrads } from "@sam/core";
 *
 * const none = noGrads(optimizer.groups[0]!); // one null per parameter of the group
 * ```
 */
export function noGrads(group: ParamGroup): (tf.Tensor | null)[] {
  return group.params.map(() => null);
}

/**
 * `grads.get(group.label)`, or all-null when the step computed none for the group.
 *
 * @example
 * ```ts
 * import { type GroupGrads, gradsOf } from "@sam/core";
 *
 * // inside a rule's update(groups, grads, state, ctx):
 * declare const grads: GroupGrads;
 * for (const group of optimizer.groups) {
 *   const g = gradsOf(grads, group); // g[i] belongs to group.params[i]; null when not computed
 * }
 * ```
 */
export function gradsOf(grads: GroupGrads, group: ParamGroup): readonly (tf.Tensor | null)[] {
  return grads.get(group.label) ?? noGrads(group);
}

import { SamConfigError } from "../internal/errors";
import type { ParamGroup } from "../params/groupParams";
import { type AnyRule, asUpdateRule, type StepContext, type UpdateRule } from "./updateRule";

/**
 * Runs `rule` with every group's learning rate multiplied by `factor`: the rule reads
 * `lr' = factor * lr`, where `lr` is the group's (or the rule's default) learning rate. The
 * slow group of multirate training takes steps of size `k * h` this way.
 *
 * @example
 * ```ts
 * import { everyK, scaleLr, sgd } from "@sam/core";
 *
 * const slow = everyK(5, scaleLr(5, sgd({ momentum: 0.9 })), { phase: 0 });
 * ```
 */
export function scaleLr(factor: number, rule: AnyRule): UpdateRule {
  if (!(Number.isFinite(factor) && factor > 0)) {
    throw new SamConfigError(
      `scaleLr factor is ${factor}: it must be a finite number > 0, e.g. k for a slow group.`,
    );
  }
  const inner = asUpdateRule(rule);
  const baseLr = typeof inner.defaults.lr === "number" ? inner.defaults.lr : undefined;
  const scaled = (ctx: StepContext): StepContext => ({
    ...ctx,
    step: ctx.step,
    seedFor: ctx.seedFor,
    lossFn: ctx.lossFn,
    hyperOf(group: ParamGroup) {
      const h = ctx.hyperOf(group);
      const lr = typeof h.lr === "number" ? h.lr : baseLr;
      if (lr === undefined) {
        throw new SamConfigError(
          `scaleLr: group ${JSON.stringify(group.label)} has no lr and the rule ${inner.kind} has no default lr. Give the group an lr.`,
        );
      }
      return { ...h, lr: factor * lr };
    },
  });
  return {
    kind: "scaleLr",
    defaults: inner.defaults,
    hyperKeys: (label) => inner.hyperKeys?.(label) ?? Object.keys(inner.defaults),
    init: (groups) => inner.init(groups),
    ...(inner.gradientsNeeded ? { gradientsNeeded: inner.gradientsNeeded.bind(inner) } : {}),
    update: (groups, grads, state, ctx) => inner.update(groups, grads, state, scaled(ctx)),
    getConfig: () => ({ kind: "scaleLr", factor, rule: inner.getConfig() }),
  };
}

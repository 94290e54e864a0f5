import {
  collectParams,
  fromVariables,
  GroupedOptimizer,
  type GroupSpec,
  type Hyper,
  type UpdateRule,
} from "@sam/core";
import type { ConformanceSubject, Equivalence } from "@sam/testing";
import type * as tf from "@tensorflow/tfjs";
import "../registerLangevinRules";

/**
 * The entries of `hyper` that `rule` reads for the group labelled `label` (a key no rule reads
 * is an error, so a test that shares one set of values between rules hands each its own).
 */
export function readBy(rule: UpdateRule, hyper: Hyper, label = "all"): Hyper {
  const keys = rule.hyperKeys?.(label) ?? Object.keys(rule.defaults);
  return Object.fromEntries(Object.entries(hyper).filter(([k]) => keys.includes(k)));
}

/**
 * A conformance subject for one rule over a single group with `hyper`, or over `groups` (each
 * group gets the entries of `hyper` its rule reads).
 */
export function subjectFor(
  rule: () => UpdateRule,
  hyper: Hyper,
  extra: Partial<ConformanceSubject> = {},
  groups?: readonly GroupSpec[],
): ConformanceSubject {
  const make = (vars: Record<string, tf.Variable>) => {
    const r = rule();
    return new GroupedOptimizer({
      params: fromVariables(vars),
      rule: r,
      seed: 7,
      ...(groups
        ? {
            groups: groups.map((g) => ({ ...g, hyper: { ...readBy(r, hyper, g.label), ...g.hyper } })),
            allowEmpty: true,
          }
        : { defaults: hyper }),
    });
  };
  return {
    make,
    fromConfig: (config, vars) =>
      GroupedOptimizer.load(config as Parameters<typeof GroupedOptimizer.load>[0], fromVariables(vars)),
    makeForModel: (model) =>
      new GroupedOptimizer({ params: collectParams(model), defaults: hyper, rule: rule() }),
    ...extra,
  };
}

/** `make` and `reference` as GroupedOptimizers over one group. */
export function equivalence(
  name: string,
  make: [() => UpdateRule, Hyper],
  reference: [() => UpdateRule, Hyper],
  tolerance: Equivalence["tolerance"] = { atol: 1e-6, rtol: 1e-6 },
): Equivalence {
  const build =
    ([rule, hyper]: [() => UpdateRule, Hyper]) =>
    (vars: Record<string, tf.Variable>) =>
      new GroupedOptimizer({ params: fromVariables(vars), defaults: hyper, rule: rule() });
  return { name, make: build(make), reference: build(reference), tolerance, steps: 20 };
}

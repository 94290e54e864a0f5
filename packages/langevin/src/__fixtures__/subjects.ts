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

/** A conformance subject for one rule over a single group with `hyper`. */
export function subjectFor(
  rule: () => UpdateRule,
  hyper: Hyper,
  extra: Partial<ConformanceSubject> = {},
  groups?: readonly GroupSpec[],
): ConformanceSubject {
  const make = (vars: Record<string, tf.Variable>) =>
    new GroupedOptimizer({
      params: fromVariables(vars),
      defaults: hyper,
      rule: rule(),
      seed: 7,
      ...(groups ? { groups, allowEmpty: true } : {}),
    });
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

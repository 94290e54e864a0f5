import { registerRule } from "@sam/core";
import { adaptiveLangevin } from "./adaptiveLangevin";
import type { OnInfeasible } from "./internal/constrainedState";
import { splitConfig } from "./internal/ruleSupport";
import { langevin } from "./langevin";
import { overdampedLangevin } from "./overdampedLangevin";
import { sgld } from "./sgld";

// Registers the rule kinds of this package so that `GroupedOptimizer.getConfig()` /
// `GroupedOptimizer.load(...)` round-trip them. This module has side effects on purpose
// (listed in package.json `sideEffects`).
registerRule("sgld", (config) => {
  const { hyper, noise, constraints, rest } = splitConfig(config, { lr: 0, temperature: 0 });
  return sgld(hyper, { noise, constraints, onInfeasible: rest.onInfeasible as OnInfeasible });
});
registerRule("langevin", (config) => {
  const { hyper, noise, constraints, rest } = splitConfig(config, { h: 0, friction: 0, temperature: 0 });
  return langevin(hyper, {
    noise,
    constraints,
    order: rest.order as "BAOAB" | "OBA",
    firstKick: rest.firstKick as "half" | "full",
    onInfeasible: rest.onInfeasible as OnInfeasible,
  });
});
registerRule("overdamped", (config) => {
  const { hyper, noise, constraints, rest } = splitConfig(config, { h: 0, temperature: 0 });
  return overdampedLangevin(hyper, {
    noise,
    constraints,
    firstKick: rest.firstKick as "half" | "full",
    onInfeasible: rest.onInfeasible as OnInfeasible,
  });
});
registerRule("adla", (config) => {
  const { hyper, noise, constraints, rest } = splitConfig(config, {
    h: 0,
    temperature: 0,
    sigmaA: 0,
    coupling: 0,
    xi0: 0,
  });
  return adaptiveLangevin(hyper, { noise, constraints, onInfeasible: rest.onInfeasible as OnInfeasible });
});

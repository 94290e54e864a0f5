import {
  adam,
  adamw,
  asam,
  collectParams,
  GroupedOptimizer,
  type GroupedOptimizerOptions,
  type GroupSpec,
  type Hyper,
  type HyperValue,
  sam,
  samOn,
  sgd,
  type UpdateRule,
  usam,
} from "@sam/core";
import type * as tf from "@tensorflow/tfjs";
import type { RunConfig } from "../config/runConfig";
import { loadPeer } from "./loadPeer";

type Langevin = typeof import("@sam/langevin");
type Multirate = typeof import("@sam/multirate");

function baseRule(name: string): UpdateRule {
  switch (name) {
    case "sgd":
      return sgd();
    case "momentum":
      return sgd({ momentum: 0.9 });
    case "adam":
      return adam();
    default:
      return adamw();
  }
}

async function langevinRule(name: string): Promise<UpdateRule> {
  const l = await loadPeer<Langevin>("@sam/langevin", `method.name "${name}"`);
  switch (name) {
    case "sgld":
      return l.sgld();
    case "langevin":
      return l.langevin();
    case "overdampedLangevin":
      return l.overdampedLangevin();
    default:
      return l.adaptiveLangevin();
  }
}

const PARTITIONED = { lala: "lalaRule", adlala: "adlalaRule", lol: "lolRule" } as const;
type PartitionedName = keyof typeof PARTITIONED;

/**
 * A partitioned Langevin scheme of `@sam/langevin` (LaLa, AdLaLa, LOL: one rule on group
 * `first`, another on group `rest`). Without `method.groups`: the package's own constructor,
 * so `first` is the first weight-owning layer and both groups start from the authors' settings
 * (AdLaLa: h 0.25, sigmaA 0.01, coupling 0.05, xi0 0.1, friction 0.1, temperature 1e-4); each key
 * of `method.hyper` then replaces that setting in every group whose rule reads it (a key no group
 * reads is an error). With `method.groups` (labelled `first` and `rest`): those groups, over
 * the rule's own defaults.
 */
async function partitionedScheme(
  name: PartitionedName,
  method: RunConfig["method"],
  common: Omit<GroupedOptimizerOptions, "rule">,
): Promise<GroupedOptimizer> {
  const l = await loadPeer<Langevin>("@sam/langevin", `method.name "${name}"`);
  if (method.groups) return new GroupedOptimizer({ ...common, rule: l[PARTITIONED[name]]() });
  const optimizer = l[name]({
    params: common.params,
    ...(common.seed !== undefined ? { seed: common.seed } : {}),
  });
  const known = new Set(optimizer.groups.flatMap((g) => Object.keys(g.hyper)));
  for (const [key, value] of Object.entries(method.hyper)) {
    if (!known.has(key)) {
      throw new Error(
        `method.hyper.${key} is ${JSON.stringify(value)}, but no group of ${name} reads "${key}"; its hyperparameters are ${[...known].map((k) => `"${k}"`).join(", ")}.`,
      );
    }
    for (const g of optimizer.groups) if (key in g.hyper) g.hyper[key] = value as HyperValue;
  }
  return optimizer;
}

/**
 * Builds the optimizer a config's `method` names over the model's parameters (all of them,
 * tagged by `collectParams`), with the config's groups, hyperparameters and seed. The
 * Langevin family and multirate are imported from their optional peer packages only when named.
 *
 * @param method - The config's `method`.
 * @param model - The model to train.
 * @param seed - The optimizer's seed (noise streams) when `method.seed` is absent.
 * @returns A bound `GroupedOptimizer`.
 *
 * @example
 * ```ts
 * import { buildOptimizer, parseRunConfig } from "@sam/experiments";
 *
 * const config = parseRunConfig({ model: { builder: "mlp" }, data: { source: "spirals" }, method: { name: "samOn", rho: 0.5, hyper: { lr: 0.1 } }, steps: 10 });
 * const samOn = await buildOptimizer(config.method, model, config.seed);
 * samOn.minimize(lossFn, true);
 * ```
 */
export async function buildOptimizer(
  method: RunConfig["method"],
  model: tf.LayersModel,
  seed: number,
): Promise<GroupedOptimizer> {
  const params = collectParams(model as never);
  const groups = method.groups?.map(
    (g) => ({ label: g.label, select: g.select, hyper: g.hyper }) as GroupSpec,
  );
  const common = {
    params,
    seed: method.seed ?? seed,
    defaults: method.hyper as Hyper,
    onUnmatched: method.onUnmatched,
    ...(groups ? { groups } : {}),
  };
  try {
    switch (method.name) {
      case "sgd":
      case "momentum":
      case "adam":
      case "adamw":
        return new GroupedOptimizer({ ...common, rule: baseRule(method.name) });
      case "sgld":
      case "langevin":
      case "overdampedLangevin":
      case "adaptiveLangevin":
        return new GroupedOptimizer({ ...common, rule: await langevinRule(method.name) });
      case "lala":
      case "adlala":
      case "lol":
        return await partitionedScheme(method.name, method, common);
      case "multirate": {
        const m = await loadPeer<Multirate>("@sam/multirate", 'method.name "multirate"');
        const h = method.hyper as Record<string, never>;
        return m.multirate(model as never, {
          k: method.k,
          drift: method.drift,
          seed: common.seed,
          fastRule: baseRule(method.base),
          slowRule: baseRule(method.base),
          ...(h.lr !== undefined ? { lr: h.lr } : {}),
          ...(h.momentum !== undefined ? { momentum: h.momentum } : {}),
          ...(h.weightDecay !== undefined ? { weightDecay: h.weightDecay } : {}),
        });
      }
      default: {
        const options = { ...common, rule: baseRule(method.base), rho: method.rho as HyperValue };
        if (method.name === "sam") return sam(options);
        if (method.name === "samOn") return samOn(options);
        if (method.name === "usam") return usam(options);
        return asam({ ...options, eta: method.eta });
      }
    }
  } catch (e) {
    throw new Error(`method (${method.name}): ${(e as Error).message}`);
  }
}

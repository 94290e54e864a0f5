import type * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import type { ParamGroup } from "../params/groupParams";
import type { ResolvedHyper } from "./schedule";
import { type ExternalRuleState, type NamedTensor, perGroup, type UpdateRule } from "./updateRule";

/** The part of a `tf.Optimizer` this wrapper uses. */
interface NativeOptimizer {
  applyGradients(grads: NamedTensor[]): void;
  getWeights(): Promise<NamedTensor[]>;
  setWeights(weights: NamedTensor[]): Promise<void>;
  getClassName(): string;
  dispose(): void;
  setLearningRate?(lr: number): void;
  learningRate?: number;
}

class NativeState implements ExternalRuleState {
  constructor(
    readonly optimizer: NativeOptimizer,
    readonly group: ParamGroup,
    readonly kind: string,
  ) {}
  slots() {
    return [];
  }
  /** Native slot `<variable name>/<slot>` becomes `<param path>/<kind>.<slot>`. */
  async getWeights() {
    const weights = await this.optimizer.getWeights();
    return weights.map((w) => ({ name: this.toOurs(w.name), tensor: w.tensor }));
  }
  async setWeights(weights: NamedTensor[]) {
    await this.optimizer.setWeights(weights.map((w) => ({ name: this.toNative(w.name), tensor: w.tensor })));
  }
  weightNames() {
    return [];
  }
  dispose() {
    this.optimizer.dispose();
  }
  private toOurs(name: string) {
    if (name === "iter") return `@${this.group.label}/${this.kind}.iter`;
    for (const p of this.group.params) {
      if (name.startsWith(`${p.variable.name}/`))
        return `${p.path}/${this.kind}.${name.slice(p.variable.name.length + 1)}`;
    }
    return `@${this.group.label}/${this.kind}.${name}`;
  }
  private toNative(name: string) {
    const groupPrefix = `@${this.group.label}/${this.kind}.`;
    if (name === `${groupPrefix}iter`) return "iter";
    for (const p of this.group.params) {
      const prefix = `${p.path}/${this.kind}.`;
      if (name.startsWith(prefix)) return `${p.variable.name}/${name.slice(prefix.length)}`;
    }
    return name.startsWith(groupPrefix) ? name.slice(groupPrefix.length) : name;
  }
}

/**
 * Wraps any `tf.train` optimizer as an update rule, with one native instance per group
 * (a native optimizer keys its slots by variable name, so instances are never shared).
 * `factory` receives the group's hyperparameters at step 0. When the group has an `lr`
 * hyperparameter, it is written into the native optimizer before every step, so
 * schedules work for SGD, momentum, Adam, Adamax, RMSProp, Adagrad and Adadelta.
 *
 * A wrapped rule cannot be saved in a config (the factory is a function); its slots are
 * saved with the optimizer's weights under `<param path>/<kind>.<native slot>`. Any key of a
 * group's `hyper` is accepted (the factory may read any). The native slots live inside the
 * `tf.train` optimizer: a rejected (non-finite) step restores the weights but cannot restore them.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { GroupedOptimizer, collectParams, fromTfOptimizer } from "@sam/core";
 *
 * const rule = fromTfOptimizer((h) => tf.train.rmsprop(Number(h.lr ?? 1e-3)));
 * const optimizer = new GroupedOptimizer({ params: collectParams(model), defaults: { lr: 1e-3 }, rule });
 * ```
 */
export function fromTfOptimizer(factory: (hyper: ResolvedHyper) => tf.Optimizer, kind = "tf"): UpdateRule {
  const rule = perGroup({
    kind,
    defaults: {},
    init(group) {
      const resolved: Record<string, number | boolean> = {};
      for (const [k, v] of Object.entries(group.hyper)) {
        if (typeof v === "number" || typeof v === "boolean") resolved[k] = v;
      }
      const optimizer = factory(resolved) as unknown as NativeOptimizer;
      if (!optimizer || typeof optimizer.applyGradients !== "function") {
        throw new SamConfigError(
          `fromTfOptimizer's factory returned ${String(optimizer)} for group ${JSON.stringify(group.label)}: it must return a new tf.Optimizer, e.g. (h) => tf.train.adam(h.lr).`,
        );
      }
      return new NativeState(optimizer, group, kind);
    },
    apply(group, grads, rawState, hyper) {
      const { optimizer } = rawState as NativeState;
      if (typeof hyper.lr === "number") {
        if (optimizer.setLearningRate) optimizer.setLearningRate(hyper.lr);
        else if ("learningRate" in optimizer) optimizer.learningRate = hyper.lr;
      }
      const named: NamedTensor[] = [];
      group.params.forEach((p, i) => {
        const g = grads[i];
        if (g) named.push({ name: p.variable.name, tensor: g });
      });
      if (named.length > 0) optimizer.applyGradients(named);
      return undefined;
    },
    getConfig() {
      throw new SamConfigError(
        `The rule "${kind}" wraps a tf.train optimizer through a factory function, which cannot be saved in a config. Use a built-in rule (sgd, adam, adamw) to save the configuration.`,
      );
    },
  });
  return { ...rule, hyperKeys: () => ["*"] };
}

import type * as tf from "@tensorflow/tfjs-core";
import type { ParamGroup } from "../params/groupParams";
import type { Param } from "../params/param";
import type { ResolvedHyper } from "./schedule";

/**
 * What a rule sees of the step it runs in.
 */
export interface StepContext {
  /** Optimizer steps taken before this one (the first step has `step = 0`). */
  readonly step: number;
  /**
   * A deterministic, never-zero seed for the random draws of parameter `paramIndex` in this
   * step (tfjs treats seed 0 as "no seed"). `stream` separates independent draws of the
   * same parameter in the same step (e.g. two noise terms of one integrator).
   */
  seedFor(paramIndex: number, stream?: number): number;
  /** The loss closure of this step, for rules that must evaluate the loss again. */
  readonly lossFn: () => tf.Scalar;
}

/** The optimizer state a rule keeps for one group: named slot variables, saved with the optimizer. */
export interface RuleState {
  /**
   * The slots, each named `<param path>/<rule kind>.<slot>` for per-parameter state or
   * `@<group label>/<rule kind>.<slot>` for per-group state.
   */
  slots(): { name: string; variable: tf.Variable }[];
  /** Frees the slots. */
  dispose(): void;
}

/**
 * An update rule: given a group and the gradients of its parameters, moves the parameters
 * (in place, with `assign`), or transforms the gradients for the next rule of a
 * {@link chainRules} chain.
 *
 * The contract, which every rule of the project keeps:
 * - `apply` runs inside the optimizer's single `tf.tidy` and never opens one itself;
 *   temporaries are released by that tidy. State lives in slot variables made by `init`
 *   and is updated with `assign`.
 * - `grads[i]` belongs to `group.params[i]`; it is `null` when the loss does not depend on
 *   that parameter or when the parameter is not being trained this step (then the rule
 *   leaves the parameter and its state alone, as PyTorch does for `grad is None`).
 * - `hyper` holds the group's hyperparameters resolved for this step, over the rule's
 *   own `defaults`.
 * - A terminal rule (SGD, Adam, ...) returns nothing; a gradient transform (clipping,
 *   weight decay added to the gradient) returns the transformed gradients.
 * - `getConfig()` returns plain data from which `ruleFromConfig` rebuilds the rule.
 */
export interface UpdateRule {
  /** Registered name, e.g. `sgd`; also the prefix of the rule's slot names. */
  readonly kind: string;
  /** Hyperparameters this rule reads, with their defaults; a group's `hyper` overrides them. */
  readonly defaults: Readonly<Record<string, number | boolean>>;
  /** Allocates the group's state (zeros). */
  init(group: ParamGroup): RuleState;
  /** Whether this rule needs the group's gradients at `step` (default: always). */
  isActive?(step: number, group: ParamGroup): boolean;
  /** Applies one step. */
  apply(
    group: ParamGroup,
    grads: readonly (tf.Tensor | null)[],
    state: RuleState,
    hyper: ResolvedHyper,
    ctx: StepContext,
  ): readonly (tf.Tensor | null)[] | undefined;
  /** Plain-data description of the rule (kind and options). */
  getConfig(): RuleConfig;
}

/** A rule's serialized form. */
export interface RuleConfig {
  readonly kind: string;
  readonly [option: string]: unknown;
}

/**
 * A {@link RuleState} with no slots, for stateless rules.
 *
 * @example
 * ```ts
 * const clip: UpdateRule = { kind: "myClip", defaults: {}, init: () => NO_STATE, apply: (g, grads) => grads.map((x) => x && tf.clipByValue(x, -1, 1)), getConfig: () => ({ kind: "myClip" }) };
 * ```
 */
export const NO_STATE: RuleState = Object.freeze({ slots: () => [], dispose: () => {} });

/**
 * A {@link RuleState} made of named per-parameter slots: `get(name, i)` is the slot of
 * `group.params[i]` (per-group scalar slots are stored at index 0).
 *
 * @example
 * ```ts
 * // inside a rule's apply(): the momentum buffer of the group's i-th parameter
 * const buffer = (state as SlotState).get("momentum", i);
 * buffer.assign(tf.add(tf.mul(mu, buffer), g));
 * ```
 */
export class SlotState implements RuleState {
  constructor(
    private readonly named: { name: string; variable: tf.Variable }[],
    readonly byName: Record<string, tf.Variable[]>,
  ) {}
  slots() {
    return this.named;
  }
  /** The slot `name` of the i-th parameter. */
  get(name: string, i: number): tf.Variable {
    return this.byName[name]![i]!;
  }
  dispose() {
    for (const s of this.named) s.variable.dispose();
  }
}

/**
 * Name of a per-parameter slot: `<param path>/<rule kind>.<slot>`.
 *
 * @example
 * ```ts
 * paramSlotName(params.get("head/kernel"), "sgd", "momentum"); // "head/kernel/sgd.momentum"
 * ```
 */
export const paramSlotName = (param: Param, kind: string, slot: string) => `${param.path}/${kind}.${slot}`;

/**
 * Name of a per-group slot: `@<group label>/<rule kind>.<slot>`.
 *
 * @example
 * ```ts
 * groupSlotName(optimizer.group("head"), "adam", "t"); // "@head/adam.t"
 * ```
 */
export const groupSlotName = (group: ParamGroup, kind: string, slot: string) =>
  `@${group.label}/${kind}.${slot}`;

/** A named tensor, as `tf.Optimizer.getWeights()` returns them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/**
 * Extra persistence hooks for states whose tensors live elsewhere (a wrapped `tf.train`
 * optimizer keeps its own slots): when present, the optimizer uses them instead of `slots()`.
 */
export interface ExternalRuleState extends RuleState {
  getWeights(): Promise<NamedTensor[]>;
  setWeights(weights: NamedTensor[]): Promise<void>;
  /** Names `setWeights` expects (so a checkpoint can be validated before it is applied). */
  weightNames(): string[];
}

/**
 * The rule's defaults, overridden by the group's resolved hyperparameters.
 *
 * @example
 * ```ts
 * withDefaults({ lr: 0.01, momentum: 0 }, { lr: 0.1 }); // { lr: 0.1, momentum: 0 }
 * ```
 */
export function withDefaults(defaults: Readonly<Record<string, number | boolean>>, hyper: ResolvedHyper) {
  return { ...defaults, ...hyper } as Record<string, number | boolean>;
}

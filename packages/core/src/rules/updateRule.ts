import * as tf from "@tensorflow/tfjs-core";
import type { ParamGroup } from "../params/groupParams";
import type { Param } from "../params/param";
import type { ResolvedHyper } from "./schedule";

/**
 * What a rule sees of the step it runs in.
 */
export interface StepContext {
  /**
   * Optimizer steps taken before this one (the first step has `step = 0`). For seeds and
   * schedules only: a rule keeps its own count in its state (see {@link StepCounter}), so
   * that a rule wrapped by `everyK` counts its own steps.
   */
  readonly step: number;
  /**
   * A deterministic, never-zero seed for the random draws of parameter `paramIndex` in this
   * step (tfjs treats seed 0 as "no seed"). `stream` separates independent draws of the
   * same parameter in the same step (e.g. two noise terms of one integrator).
   */
  seedFor(paramIndex: number, stream?: number): number;
  /** The loss closure of this step, for rules that must evaluate the loss again. */
  readonly lossFn: () => tf.Scalar;
  /** The group's hyperparameters resolved for this step (schedules evaluated), without rule defaults. */
  hyperOf(group: ParamGroup): ResolvedHyper;
}

/**
 * The optimizer state a rule keeps: named slot variables, saved with the optimizer
 * (`getWeights`), restored by `setWeights` and by a rejected step.
 */
export interface RuleState {
  /**
   * The slots, each named `<param path>/<rule kind>.<slot>` for per-parameter state or
   * `@<group label>/<rule kind>.<slot>` for per-group state. A slot marked `counter` is a
   * step count: a checkpoint written before the slot existed restores it to the checkpoint's
   * `iter` (what the rule counted from then).
   */
  slots(): { name: string; variable: tf.Variable; counter?: boolean }[];
  /**
   * Called after the slot variables were written from outside (`setWeights`, the restore of
   * a rejected step), so that state mirrored in plain numbers (a {@link StepCounter}) is
   * read back. Optional.
   */
  restored?(): void;
  /** The states this one is made of (combinators), so the optimizer can find external states. */
  children?(): readonly RuleState[];
  /** Frees the slots. */
  dispose(): void;
}

/** A rule's default hyperparameters: the keys it reads from a group's `hyper`, with their values. */
export type HyperDefaults = Readonly<Record<string, number | boolean>>;

/** The gradients of one step, by group label: `grads.get(label)![i]` belongs to `group.params[i]`. */
export type GroupGrads = ReadonlyMap<string, readonly (tf.Tensor | null)[]>;

/**
 * An update rule over all the optimizer's groups, in optax's `GradientTransformation` shape:
 * `init(groups) -> state`, then once per step `update(groups, grads, state, ctx)`.
 *
 * The contract, which every rule of the project keeps:
 * - `update` is called on **every** step, with every group it was initialised with, also
 *   on steps where some groups got no gradient (their entries are all `null`), so a rule
 *   may move a group without a gradient (a drift, a thermostat). It runs inside the
 *   optimizer's single `tf.tidy` and never opens one; state is updated with `assign`.
 * - `gradientsNeeded(groups, state)` says, before the step, which groups' gradients the rule
 *   will read (default: all); the optimizer asks the oracle for those only.
 * - A rule keeps its own counters in its state ({@link StepCounter}); it never uses
 *   `ctx.step` as its clock (that is the optimizer's count, for seeds and schedules).
 * - `defaults` lists every hyperparameter the rule reads; a key of a group's `hyper` that no
 *   rule (nor the oracle) knows is an error when the optimizer is built.
 * - A terminal rule (SGD, Adam) returns nothing; a gradient transform (clipping) returns the
 *   transformed gradients for the next rule of a {@link chainRules} chain.
 * - `getConfig()` returns plain data from which `ruleFromConfig` rebuilds the rule.
 *
 * Most rules treat each group on its own: write those as a {@link GroupRule} and wrap them
 * with {@link perGroup}.
 *
 * @typeParam H The rule's hyperparameters (e.g. {@link SgdHyper}).
 */
export interface UpdateRule<H extends HyperDefaults = HyperDefaults> {
  /** Registered name, e.g. `sgd`; also the prefix of the rule's slot names. */
  readonly kind: string;
  /** Hyperparameters this rule reads, with their defaults; a group's `hyper` overrides them. */
  readonly defaults: Readonly<H>;
  /**
   * The hyperparameter keys the rule reads for the group labelled `label` (default: the keys
   * of `defaults`); `"*"` accepts any key.
   */
  hyperKeys?(label: string): readonly string[];
  /** Allocates the state of these groups (the rule's groups, in the optimizer's order). */
  init(groups: readonly ParamGroup[]): RuleState;
  /** Labels of the groups whose gradients the next `update` reads (default: all of them). */
  gradientsNeeded?(groups: readonly ParamGroup[], state: RuleState, step: number): readonly string[];
  /** One step over all the rule's groups. */
  update(
    groups: readonly ParamGroup[],
    grads: GroupGrads,
    state: RuleState,
    ctx: StepContext,
  ): GroupGrads | undefined;
  /** Plain-data description of the rule (kind and options). */
  getConfig(): RuleConfig;
}

/** A rule's hyperparameters for one group at one step: its defaults overridden by the group's resolved `hyper`. */
export type Resolved<H extends HyperDefaults> = { readonly [K in keyof H]-?: H[K] } & ResolvedHyper;

/**
 * A rule that treats each group on its own (SGD, Adam, the Langevin integrators); turned
 * into an {@link UpdateRule} by {@link perGroup}. `apply` is called for each group that got
 * at least one gradient this step; `hyper` is the rule's defaults overridden by the group's.
 */
export interface GroupRule<H extends HyperDefaults = HyperDefaults> {
  /** Registered name, also the prefix of the rule's slot names. */
  readonly kind: string;
  /** Hyperparameters this rule reads, with their defaults. */
  readonly defaults: Readonly<H>;
  /** Allocates one group's state. */
  init(group: ParamGroup): RuleState;
  /**
   * @deprecated The optimizer-step test of the old protocol, kept so that rules written for
   * it still run: the group's gradients are requested, and `apply` called, only when it
   * returns true. New rules keep a counter instead (see {@link everyK}).
   */
  isActive?(step: number, group: ParamGroup): boolean;
  /** Moves one group's parameters (or returns transformed gradients). */
  apply(
    group: ParamGroup,
    grads: readonly (tf.Tensor | null)[],
    state: RuleState,
    hyper: Resolved<H>,
    ctx: StepContext,
  ): readonly (tf.Tensor | null)[] | undefined;
  /** Plain-data description of the rule. */
  getConfig(): RuleConfig;
}

/** Either protocol: what `GroupedOptimizer`, `partitionRules`, `chainRules` and `everyK` accept. */
// biome-ignore lint/suspicious/noExplicitAny: a rule of any hyperparameter type H
export type AnyRule = UpdateRule<any> | GroupRule<any>;

/**
 * Whether `rule` is written in the per-group form ({@link GroupRule}).
 *
 * @example
 * ```ts
 * import { isGroupRule, sgd } from "@sam/core";
 *
 * isGroupRule(sgd()); // false: sgd() is already lifted to the all-groups form
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: a rule of any hyperparameter type H
export function isGroupRule(rule: AnyRule): rule is GroupRule<any> {
  return typeof (rule as GroupRule).apply === "function" && typeof (rule as UpdateRule).update !== "function";
}

/**
 * The {@link UpdateRule} form of either protocol (a {@link GroupRule} is wrapped with {@link perGroup}).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { asUpdateRule, type GroupRule, NO_STATE } from "@sam/core";
 *
 * // a per-group gradient transform written in the old form
 * const halve: GroupRule = {
 *   kind: "halve",
 *   defaults: {},
 *   init: () => NO_STATE,
 *   apply: (_group, grads) => grads.map((g) => g && tf.mul(g, 0.5)),
 *   getConfig: () => ({ kind: "halve" }),
 * };
 * const rule = asUpdateRule(halve); // init(groups) / update(groups, grads, state, ctx) over all groups
 * ```
 */
export function asUpdateRule(rule: AnyRule): UpdateRule {
  return isGroupRule(rule) ? perGroup(rule) : (rule as UpdateRule);
}

/**
 * State of a {@link perGroup} rule: one inner state per group label.
 *
 * @example
 * ```ts
 * import { type PerGroupState, sgd } from "@sam/core";
 *
 * const state = sgd({ momentum: 0.9 }).init(optimizer.groups) as PerGroupState;
 * state.byLabel.get("head")?.slots(); // the head group's momentum buffers
 * state.dispose();
 * ```
 */
export class PerGroupState implements RuleState {
  constructor(readonly byLabel: ReadonlyMap<string, RuleState>) {}
  slots() {
    return [...this.byLabel.values()].flatMap((s) => s.slots());
  }
  restored() {
    for (const s of this.byLabel.values()) s.restored?.();
  }
  children() {
    return [...this.byLabel.values()];
  }
  dispose() {
    for (const s of this.byLabel.values()) s.dispose();
  }
}

/**
 * Lifts a per-group rule to the all-groups protocol: `init` allocates each group's state,
 * `update` calls `apply` on every group with at least one gradient, with the rule's defaults
 * overridden by the group's resolved hyperparameters. The result's state is a
 * {@link PerGroupState}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { perGroup, allocateSlots, type SlotState } from "@sam/core";
 *
 * // heavy-ball momentum, one "velocity" slot per parameter
 * const heavyBall = perGroup({
 *   kind: "heavyBall",
 *   defaults: { lr: 0.01, mu: 0.9 },
 *   init: (group) => allocateSlots(group, "heavyBall", ["velocity"]),
 *   apply(group, grads, state, hyper) {
 *     grads.forEach((g, i) => {
 *       if (!g) return;
 *       const v = (state as SlotState).get("velocity", i);
 *       const w = group.params[i]!.variable;
 *       v.assign(tf.add(tf.mul(hyper.mu, v), g));
 *       w.assign(tf.sub(w, tf.mul(hyper.lr, v)));
 *     });
 *     return undefined;
 *   },
 *   getConfig: () => ({ kind: "heavyBall" }),
 * });
 * ```
 */
export function perGroup<H extends HyperDefaults>(
  rule: GroupRule<H>,
): UpdateRule<H> & { readonly inner: GroupRule<H> } {
  return {
    kind: rule.kind,
    inner: rule,
    defaults: rule.defaults,
    init: (groups) => new PerGroupState(new Map(groups.map((g) => [g.label, rule.init(g)]))),
    ...(rule.isActive
      ? {
          gradientsNeeded: (groups: readonly ParamGroup[], _state: RuleState, step = 0) =>
            groups.filter((g) => rule.isActive!(step, g)).map((g) => g.label),
        }
      : {}),
    update(groups, grads, state, ctx) {
      const states = (state as PerGroupState).byLabel;
      const out = new Map<string, readonly (tf.Tensor | null)[]>();
      let transformed = false;
      for (const group of groups) {
        const g = grads.get(group.label) ?? group.params.map(() => null);
        if (rule.isActive && !rule.isActive(ctx.step, group)) {
          out.set(group.label, g);
          continue;
        }
        if (g.every((x) => x === null)) {
          out.set(group.label, g);
          continue;
        }
        const hyper = { ...rule.defaults, ...ctx.hyperOf(group) } as Resolved<H>;
        const result = rule.apply(group, g, states.get(group.label)!, hyper, ctx);
        if (result) transformed = true;
        out.set(group.label, result ?? g);
      }
      return transformed ? out : undefined;
    },
    getConfig: () => rule.getConfig(),
  };
}

/**
 * A step count kept in a rule's state: a plain number (read synchronously, e.g. by
 * `gradientsNeeded`) mirrored in a scalar slot variable so that it is saved and restored with
 * the optimizer. `tick()` inside `update` advances both; `restored()` re-reads the slot.
 *
 * @example
 * ```ts
 * const count = new StepCounter("@slow/everyK.count");
 * count.value;      // 0
 * count.tick();     // 1 (and the slot holds 1)
 * count.dispose();
 * ```
 */
export class StepCounter implements RuleState {
  readonly variable: tf.Variable;
  private count = 0;
  constructor(readonly name: string) {
    this.variable = tfVariableScalar(0);
  }
  /** The steps counted so far. */
  get value(): number {
    return this.count;
  }
  /** Counts one step. */
  tick(): number {
    this.count += 1;
    this.variable.assign(tfScalar(this.count));
    return this.count;
  }
  slots() {
    return [{ name: this.name, variable: this.variable, counter: true }];
  }
  restored() {
    this.count = Math.round(this.variable.dataSync()[0]!);
  }
  dispose() {
    this.variable.dispose();
  }
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
 * const clip = perGroup({ kind: "myClip", defaults: {}, init: () => NO_STATE, apply: (_group, grads) => grads.map((x) => x && tf.clipByValue(x, -1, 1)), getConfig: () => ({ kind: "myClip" }) });
 * ```
 */
export const NO_STATE: RuleState = Object.freeze({ slots: () => [], dispose: () => {} });

/**
 * A {@link RuleState} made of named per-parameter slots: `get(name, i)` is the slot of
 * `group.params[i]` (per-group scalar slots are stored at index 0).
 *
 * @example
 * ```ts
 * // inside a rule's apply(group, grads, state, hyper): the momentum buffer of parameter i
 * declare const state: RuleState, i: number, mu: number, g: tf.Tensor;
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
  /** The group whose slots these are (their names start with `@<label>/` or a parameter's path). */
  readonly group: ParamGroup;
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

function tfScalar(v: number): tf.Scalar {
  return tf.scalar(v, "float32");
}

function tfVariableScalar(v: number): tf.Variable {
  const t = tfScalar(v);
  const variable = tf.variable(t, false);
  t.dispose();
  return variable;
}

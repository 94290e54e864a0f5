import * as tf from "@tensorflow/tfjs-core";
import { SamConfigError, show } from "../internal/errors";
import type { GradientOracle, OracleState } from "../oracles/gradientOracle";
import { plainGradient } from "../oracles/plainGradient";
import { type GroupParamsOptions, type GroupSpec, groupParams, type ParamGroup } from "../params/groupParams";
import type { Param, ParamSet } from "../params/param";
import { isSerializableSelector } from "../params/selectors";
import { seedFor } from "../random/seedFor";
import { type Hyper, isSerializableHyper, type ResolvedHyper, resolveHyperValue } from "../rules/schedule";
import {
  type AnyRule,
  asUpdateRule,
  type ExternalRuleState,
  type NamedTensor,
  type RuleConfig,
  type RuleState,
  type StepContext,
  type UpdateRule,
} from "../rules/updateRule";
import { allFinite } from "./allFinite";
import { NonFiniteStepError } from "./nonFiniteStepError";
import "./registerBuiltins";
import { oracleFromConfig, ruleFromConfig } from "./registry";
import { validateCheckpoint } from "./validateCheckpoint";

/** Constructor options of {@link GroupedOptimizer}. */
export interface GroupedOptimizerOptions extends GroupParamsOptions {
  /** The parameters to train (from `collectParams(model)` or `fromVariables(...)`). */
  readonly params: ParamSet;
  /** The groups, tried in order (first match wins). Default: one group `all` with every parameter. */
  readonly groups?: readonly GroupSpec[];
  /** The update rule (use `partitionRules` for a different rule per group). A per-group rule is wrapped with `perGroup`. */
  readonly rule: AnyRule;
  /** How gradients are obtained. Default: `plainGradient()`. */
  readonly oracle?: GradientOracle;
  /** Seed of every random draw (noise, perturbations). Default 1. Never 0. */
  readonly seed?: number;
  /**
   * What a step whose loss or update is not finite does. Either way the weights, the
   * optimizer state and the moving statistics (BatchNorm) are restored to what they were
   * before the step. `false` (default): throws a {@link NonFiniteStepError}. `true`: the step
   * is skipped (not counted in `step`), and counted in `skippedSteps`.
   */
  readonly skipNonFinite?: boolean;
  /**
   * Whether each step checks, with one synchronous read, that its loss and update are finite
   * (and restores everything when they are not). Default: true, except on backends that have
   * no synchronous reads ({@link NO_SYNC_READ_BACKENDS}: a read there loses the WebGPU
   * device), where a non-finite step then goes unnoticed: check the loss yourself with
   * `await loss.data()` there.
   */
  readonly checkFinite?: boolean;
}

/**
 * Backends on which a step makes no synchronous read, so `checkFinite` defaults to false there.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { NO_SYNC_READ_BACKENDS } from "@sam/core";
 *
 * if (NO_SYNC_READ_BACKENDS.has(tf.getBackend())) {
 *   // no step checks its own loss here: read it asynchronously
 *   const loss = optimizer.minimize(lossFn, true);
 *   if (loss && !Number.isFinite((await loss.data())[0]!)) throw new Error("diverged");
 * }
 * ```
 */
export const NO_SYNC_READ_BACKENDS: ReadonlySet<string> = new Set(["webgpu"]);

/** The serialized form of a {@link GroupedOptimizer} (`getConfig()`). */
export interface GroupedOptimizerConfig {
  groups: { label: string; select: unknown; hyper: Hyper }[];
  defaults: Hyper;
  onUnmatched: "error" | "ignore";
  allowEmpty: boolean;
  rule: RuleConfig;
  oracle: { kind: string; [option: string]: unknown };
  seed: number;
  skipNonFinite?: boolean;
  checkFinite?: boolean;
}

interface Bound {
  readonly params: ParamSet;
  readonly groups: ParamGroup[];
  readonly state: RuleState;
  readonly oracleState: OracleState | undefined;
}

/**
 * The optimizer every method of the project is built on: a `tf.Optimizer` whose
 * parameters are split into groups, each with its own hyperparameters, moved by an update
 * rule from gradients a gradient oracle supplies. It works in a custom loop
 * (`optimizer.minimize(() => loss, true)`) and under `model.compile({ optimizer })` /
 * `model.fit`, which calls `minimize` the same way.
 *
 * One step (`minimize(lossFn, returnCost, varList)`):
 * 1. every group's hyperparameters are resolved for this step (schedules evaluated) and checked;
 * 2. the rule says which groups' gradients it needs (`gradientsNeeded`); the active parameters
 *    are theirs, within `varList`;
 * 3. the oracle returns L(w) and the gradients of the active parameters only;
 * 4. the rule's `update` runs once over all groups (those without a gradient get `null`s);
 * 5. one read checks that the loss and every variable the step changed are finite. If not,
 *    the weights, the rule state and the moving statistics are restored and the step throws
 *    {@link NonFiniteStepError} (or, with `skipNonFinite`, is skipped and counted);
 * 6. the step counter advances. Steps 3-4 run in one `tf.tidy`; only the loss escapes.
 *
 * State is allocated when the optimizer is built, saved by `getWeights()` under
 * `<param path>/<rule kind>.<slot>` names, and the configuration round-trips through
 * `getConfig()` / `GroupedOptimizer.fromConfig(GroupedOptimizer, config, params)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { GroupedOptimizer, collectParams, hasTag, or, everything, sgd } from "@sam/core";
 *
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ units: 16, inputShape: [2], activation: "relu", name: "fc1" }),
 *   tf.layers.dense({ units: 1, name: "head" }),
 * ] });
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   groups: [
 *     { label: "no_decay", select: hasTag("bias"), hyper: { weightDecay: 0 } },
 *     { label: "rest", select: everything },
 *   ],
 *   defaults: { lr: 0.05, weightDecay: 1e-4 },
 *   rule: sgd({ momentum: 0.9 }),
 * });
 * model.compile({ optimizer, loss: "meanSquaredError" });
 * ```
 */
export class GroupedOptimizer extends tf.Optimizer {
  /** Name under which the class is registered for tfjs serialization (`sam>GroupedOptimizer`). */
  static get className(): string {
    return "GroupedOptimizer";
  }

  readonly rule: UpdateRule;
  readonly oracle: GradientOracle;
  readonly seed: number;
  readonly skipNonFinite: boolean;
  /** The `checkFinite` option as given (undefined: decided per step by the backend). */
  readonly checkFinite: boolean | undefined;
  /** Steps rejected because their loss or update was not finite (with `skipNonFinite`). */
  skippedSteps = 0;
  private readonly specs: readonly GroupSpec[];
  private readonly groupOptions: GroupParamsOptions;
  private bound: Bound | null = null;

  constructor(
    options: GroupedOptimizerOptions | (Omit<GroupedOptimizerOptions, "params"> & { params?: undefined }),
  ) {
    super();
    const r = options?.rule as Partial<UpdateRule> & { apply?: unknown };
    if (!options || (typeof r?.update !== "function" && typeof r?.apply !== "function")) {
      throw new SamConfigError(
        `GroupedOptimizer options.rule is ${show(options?.rule)}: it must be an update rule such as sgd(), adam() or partitionRules({...}).`,
      );
    }
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed) || seed === 0) {
      throw new SamConfigError(
        `GroupedOptimizer seed is ${show(seed)}: it must be a non-zero integer (tfjs treats 0 as "no seed"). Pass e.g. seed: 1.`,
      );
    }
    this.rule = asUpdateRule(options.rule);
    this.skipNonFinite = options.skipNonFinite ?? false;
    this.checkFinite = options.checkFinite;
    this.oracle = options.oracle ?? plainGradient();
    this.seed = seed;
    this.specs = options.groups ?? [{ label: "all", select: { all: true } }];
    this.groupOptions = {
      ...(options.defaults ? { defaults: options.defaults } : {}),
      ...(options.onUnmatched ? { onUnmatched: options.onUnmatched } : {}),
      ...(options.allowEmpty ? { allowEmpty: options.allowEmpty } : {}),
    };
    if (options.params) this.bind(options.params);
  }

  /**
   * Attaches the optimizer to its parameters: builds the groups, allocates the rule state
   * and the oracle's buffers. The constructor does it when given `params`; an optimizer
   * made by `fromConfig` must be bound before its first step.
   */
  bind(params: ParamSet): this {
    if (this.bound) {
      throw new SamConfigError(
        "This GroupedOptimizer is already bound to its parameters. Build a new optimizer for another model.",
      );
    }
    const groups = groupParams(params, this.specs, this.groupOptions);
    checkHyperKeys(this.rule, groups, this.groupOptions.defaults ?? {});
    const state = this.rule.init(groups);
    const names = new Set<string>();
    for (const s of state.slots()) {
      if (names.has(s.name)) {
        state.dispose();
        throw new SamConfigError(
          `Two slots of the rule are both named ${JSON.stringify(s.name)}: the same rule kind wraps the same groups twice. Give the groups different rules or split them.`,
        );
      }
      names.add(s.name);
    }
    let oracleState: OracleState | undefined;
    try {
      oracleState = this.oracle.init?.(params, groups) ?? undefined;
    } catch (e) {
      state.dispose();
      throw e;
    }
    this.bound = { params, groups, state, oracleState };
    return this;
  }

  /** The groups, with their live (mutable) hyperparameters. */
  get groups(): readonly ParamGroup[] {
    return this.requireBound().groups;
  }

  /** The parameters the optimizer trains. */
  get params(): ParamSet {
    return this.requireBound().params;
  }

  /** The group with this label. */
  group(label: string): ParamGroup {
    const g = this.groups.find((x) => x.label === label);
    if (!g) {
      throw new SamConfigError(
        `No group is labelled ${JSON.stringify(label)}; the groups are ${this.groups.map((x) => JSON.stringify(x.label)).join(", ")}.`,
      );
    }
    return g;
  }

  /** Steps taken so far. */
  get step(): number {
    return this.iterations;
  }

  /**
   * One optimization step; see the class description. `varList`, when given (as
   * `model.fit` does), restricts the step to those variables; a variable in it that the
   * optimizer does not own is an error.
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const { params } = this.requireBound();
    const allowed = varList ? this.checkVarList(varList, params) : null;
    return this.step_(f, allowed, null, returnCost);
  }

  /**
   * Applies precomputed gradients (by variable name) with the groups' rules. Only for the
   * plain oracle: an oracle that evaluates the loss more than once (SAM) needs `minimize`.
   */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    if (this.oracle.lossEvaluations !== 1) {
      throw new SamConfigError(
        `applyGradients() was called on an optimizer with the "${this.oracle.kind}" oracle, which must evaluate the loss itself. Call optimizer.minimize(() => loss) instead.`,
      );
    }
    const { params } = this.requireBound();
    const byName: tf.NamedTensorMap = Array.isArray(variableGradients)
      ? Object.fromEntries(variableGradients.map((g) => [g.name, g.tensor]))
      : variableGradients;
    const unknown = Object.keys(byName).filter((name) => !params.byVariable(name));
    if (unknown.length > 0) {
      throw new SamConfigError(
        `applyGradients got gradients for variables the optimizer does not own: ${unknown.map((n) => JSON.stringify(n)).join(", ")}. Build the optimizer over those variables or leave them out.`,
      );
    }
    const lossFn = () => {
      throw new SamConfigError(
        "This rule needs the loss closure; call optimizer.minimize(lossFn) instead of applyGradients.",
      );
    };
    this.step_(lossFn, null, byName, false);
  }

  /**
   * One step (both `minimize` and `applyGradients`): resolve hyperparameters, ask the rule
   * which groups need gradients, get them (oracle or `given`), run the rule over all groups,
   * then check with one read that the loss and every moved variable are finite; if not,
   * restore weights, rule state and moving statistics and throw (or skip).
   */
  private step_(
    f: () => tf.Scalar,
    allowed: Set<number> | null,
    given: tf.NamedTensorMap | null,
    returnCost: boolean,
  ): tf.Scalar | null {
    const { params, groups, state, oracleState } = this.requireBound();
    const step = this.iterations;
    const resolved = groups.map((group) => ({ group, hyper: resolveGroupHyper(group, step) }));
    const hyperByLabel = new Map(resolved.map((r) => [r.group.label, r.hyper]));
    const needed = new Set(this.rule.gradientsNeeded?.(groups, state, step) ?? groups.map((g) => g.label));
    const active: Param[] = [];
    for (const group of groups) {
      if (!needed.has(group.label)) continue;
      for (const p of group.params) if (!allowed || allowed.has(p.index)) active.push(p);
    }
    const ctx: StepContext = {
      step,
      seedFor: (paramIndex, stream = 0) => seedFor(this.seed, step, paramIndex, stream),
      lossFn: f,
      hyperOf: (group) => hyperByLabel.get(group.label) ?? resolveGroupHyper(group, step),
    };
    // Zero-copy snapshot: a clone shares the variable's data, and assign() rebinds the
    // variable to new data, so the old values stay alive (and unchanged) until disposed.
    const watched = [
      ...params.params.map((p) => p.variable),
      ...params.stateVariables.map((s) => s.variable),
      ...state.slots().map((s) => s.variable),
      ...(oracleState?.slots?.() ?? []).map((s) => s.variable),
    ];
    const before = watched.map((v) => tf.keep(tf.clone(v)));
    const check = this.checkFinite ?? !NO_SYNC_READ_BACKENDS.has(tf.getBackend());
    let loss: tf.Scalar | null = null;
    let finite = false;
    try {
      const [l, ok] = tf.tidy((): tf.Tensor[] => {
        const grads = new Map<string, (tf.Tensor | null)[]>();
        let lossValue: tf.Scalar;
        if (given) {
          for (const group of groups) {
            grads.set(
              group.label,
              group.params.map((p) => (needed.has(group.label) ? (given[p.variable.name] ?? null) : null)),
            );
          }
          lossValue = tf.scalar(0);
        } else {
          const result = this.oracle.gradients(
            { lossFn: f, params, groups: resolved, active, ctx, slots: state.slots() },
            oracleState,
          );
          const gradOf = new Map<number, tf.Tensor | null>();
          active.forEach((p, i) => gradOf.set(p.index, result.grads[i] ?? null));
          for (const group of groups)
            grads.set(
              group.label,
              group.params.map((p) => gradOf.get(p.index) ?? null),
            );
          lossValue = result.loss;
        }
        this.rule.update(groups, grads, state, ctx);
        if (!check) return [lossValue];
        // the loss and every variable the step replaced, float32 ones (one kernel where the backend has it)
        const moved = watched.filter((v, i) => v.dataId !== before[i]!.dataId);
        return [lossValue, allFinite([lossValue, ...moved].filter((t) => t.dtype === "float32"))];
      });
      loss = l as tf.Scalar;
      finite = ok ? ok.dataSync()[0] === 1 : true; // the step's one synchronous read
      ok?.dispose();
    } catch (e) {
      this.restore(watched, before, state);
      for (const t of before) t.dispose();
      throw e;
    }
    if (!finite) {
      const value = loss.dataSync()[0]!;
      loss.dispose();
      this.restore(watched, before, state);
      for (const t of before) t.dispose();
      if (this.skipNonFinite) {
        this.skippedSteps += 1;
        return returnCost ? tf.scalar(value) : null;
      }
      throw new NonFiniteStepError(
        `Step ${step} was rejected: ${Number.isFinite(value) ? "the update" : `the loss (${value})`} is not finite. ` +
          "The weights, the optimizer state and the moving statistics are as they were before the step. " +
          "Lower the learning rate, check the data for NaN, or pass skipNonFinite: true to skip such steps.",
      );
    }
    for (const t of before) t.dispose();
    this.incrementIterations();
    if (returnCost) return loss;
    loss.dispose();
    return null;
  }

  private restore(watched: readonly tf.Variable[], before: readonly tf.Tensor[], state: RuleState): void {
    watched.forEach((v, i) => {
      if (v.dataId !== before[i]!.dataId) v.assign(before[i]!);
    });
    state.restored?.();
  }

  /** `[iter, ...slots, ...oracle slots]`, slots named `<param path>/<rule kind>.<slot>` or `@<group>/<rule kind>.<slot>`. */
  override async getWeights(): Promise<NamedTensor[]> {
    const { state, oracleState } = this.requireBound();
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const s of [...state.slots(), ...(oracleState?.slots?.() ?? [])])
      weights.push({ name: s.name, tensor: s.variable });
    for (const ext of externalStates(state)) weights.push(...(await ext.getWeights()));
    return weights;
  }

  /**
   * Restores `getWeights()` output. The names and shapes are checked first, and every
   * mismatch (missing, unexpected, wrong shape) is listed in one error; nothing is written
   * unless the whole checkpoint fits. A step-counter slot missing from a checkpoint written
   * before it existed starts at the checkpoint's `iter`.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const { state, oracleState } = this.requireBound();
    const internal: { name: string; variable: tf.Variable; counter?: boolean }[] = [
      ...state.slots(),
      ...(oracleState?.slots?.() ?? []),
    ];
    const externals = externalStates(state);
    const externalPrefixes = externals.flatMap(prefixesOf);
    const iter = weightValues.find((w) => w.name === "iter");
    const rest = weightValues.filter((w) => w.name !== "iter");
    const isExternalName = (name: string) => externalPrefixes.some((p) => name.startsWith(p));
    const given = new Set(rest.map((w) => w.name));
    const defaulted = internal.filter((s) => s.counter && !given.has(s.name));
    validateCheckpoint(
      internal.filter((s) => !defaulted.includes(s)).map((s) => ({ name: s.name, shape: s.variable.shape })),
      rest.filter((w) => !isExternalName(w.name)),
      iter !== undefined,
    );
    await this.extractIterations(iter ? [iter] : []);
    const byName = new Map(rest.map((w) => [w.name, w.tensor]));
    for (const s of internal) {
      if (defaulted.includes(s)) s.variable.assign(tf.scalar(this.iterations));
      else s.variable.assign(byName.get(s.name)!);
    }
    for (const ext of externals) {
      const prefixes = prefixesOf(ext);
      await ext.setWeights(rest.filter((w) => prefixes.some((p) => w.name.startsWith(p))));
    }
    state.restored?.();
  }

  /** Plain data from which `GroupedOptimizer.fromConfig` rebuilds the optimizer (unbound). */
  override getConfig(): tf.serialization.ConfigDict {
    const config: GroupedOptimizerConfig = {
      groups: this.specs.map((spec) => {
        if (!isSerializableSelector(spec.select)) {
          throw new SamConfigError(
            `Group ${JSON.stringify(spec.label)} selects with a function, which cannot be saved in a config. Use a selector spec ({ tag }, { layerClass }, { path }, ...) to save it.`,
          );
        }
        const hyper = spec.hyper ?? {};
        if (!isSerializableHyper(hyper)) {
          throw new SamConfigError(
            `Group ${JSON.stringify(spec.label)} has a hyperparameter given as a function, which cannot be saved. Use a schedule spec (constant, stepDecay, cosineDecay, ...) instead.`,
          );
        }
        return { label: spec.label, select: spec.select, hyper };
      }),
      defaults: this.groupOptions.defaults ?? {},
      onUnmatched: this.groupOptions.onUnmatched ?? "error",
      allowEmpty: this.groupOptions.allowEmpty ?? false,
      rule: this.rule.getConfig(),
      oracle: this.oracle.getConfig(),
      seed: this.seed,
      ...(this.skipNonFinite ? { skipNonFinite: true } : {}),
      ...(this.checkFinite !== undefined ? { checkFinite: this.checkFinite } : {}),
    };
    if (!isSerializableHyper(config.defaults)) {
      throw new SamConfigError(
        "The optimizer's defaults hold a hyperparameter given as a function, which cannot be saved. Use a schedule spec instead.",
      );
    }
    return JSON.parse(JSON.stringify(config)) as tf.serialization.ConfigDict;
  }

  /**
   * Rebuilds an optimizer from `getConfig()` output. Given `params` (as the tfjs
   * deserializer does not), the optimizer is bound and ready; otherwise call
   * `.bind(collectParams(model))` before the first step.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
    params?: ParamSet,
  ): T {
    const c = config as unknown as GroupedOptimizerConfig;
    const Ctor = cls as unknown as new (options: Partial<GroupedOptimizerOptions>) => T;
    return new Ctor({
      ...(params ? { params } : {}),
      ...(c.skipNonFinite ? { skipNonFinite: true } : {}),
      ...(c.checkFinite !== undefined ? { checkFinite: c.checkFinite } : {}),
      groups: c.groups.map((g) => ({
        label: g.label,
        select: g.select as GroupSpec["select"],
        hyper: g.hyper,
      })),
      defaults: c.defaults,
      onUnmatched: c.onUnmatched,
      allowEmpty: c.allowEmpty,
      rule: ruleFromConfig(c.rule),
      oracle: oracleFromConfig(c.oracle),
      seed: c.seed,
    });
  }

  /**
   * Rebuilds an optimizer from `getConfig()` output and binds it to `params`: the typed
   * shorthand of `GroupedOptimizer.fromConfig(GroupedOptimizer, config).bind(params)`.
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(optimizer.getConfig());
   * const restored = GroupedOptimizer.load(JSON.parse(saved), collectParams(model));
   * await restored.setWeights(await optimizer.getWeights());
   * ```
   */
  static load(config: tf.serialization.ConfigDict, params: ParamSet): GroupedOptimizer {
    return GroupedOptimizer.fromConfig(GroupedOptimizer, config, params) as GroupedOptimizer;
  }

  /** Frees the optimizer's state (slots, oracle buffers). Model variables are untouched. */
  override dispose(): void {
    if (this.bound) {
      this.bound.state.dispose();
      this.bound.oracleState?.dispose();
    }
    super.dispose();
  }

  private requireBound(): Bound {
    if (!this.bound) {
      throw new SamConfigError(
        "This GroupedOptimizer is not bound to parameters (it was made by fromConfig or without params). Call optimizer.bind(collectParams(model)) first.",
      );
    }
    return this.bound;
  }

  private checkVarList(varList: readonly tf.Variable[], params: ParamSet): Set<number> {
    const allowed = new Set<number>();
    const foreign: string[] = [];
    for (const v of varList) {
      const p = params.byVariable(v.name);
      if (p) allowed.add(p.index);
      else foreign.push(v.name);
    }
    if (foreign.length > 0) {
      throw new SamConfigError(
        `varList holds ${foreign.length} variable(s) the optimizer does not own: ${foreign
          .slice(0, 6)
          .map((n) => JSON.stringify(n))
          .join(", ")}${foreign.length > 6 ? ", ..." : ""}. ` +
          "Build the optimizer from collectParams(model) of the model being trained, or leave those variables out of varList.",
      );
    }
    return allowed;
  }
}

function isExternal(state: RuleState): state is ExternalRuleState {
  return typeof (state as ExternalRuleState).getWeights === "function";
}

/** The external states (wrapped `tf.train` optimizers) in a state tree. */
function externalStates(state: RuleState): ExternalRuleState[] {
  if (isExternal(state)) return [state];
  return (state.children?.() ?? []).flatMap(externalStates);
}

function prefixesOf(state: ExternalRuleState): string[] {
  return [`@${state.group.label}/`, ...state.group.params.map((p) => `${p.path}/`)];
}

/**
 * Checks the hyperparameter keys: a key of a group's own `hyper` must be read by the rule
 * that moves that group; a key of the optimizer's `defaults` (shared by every group) must be
 * read by the rule of at least one group. The error names the key and the known ones.
 */
function checkHyperKeys(rule: UpdateRule, groups: readonly ParamGroup[], defaults: Hyper): void {
  const knownFor = (label: string) => rule.hyperKeys?.(label) ?? Object.keys(rule.defaults);
  const fail = (where: string, unknown: string[], known: readonly string[]) => {
    throw new SamConfigError(
      `${where} has hyperparameter ${unknown.map((k) => JSON.stringify(k)).join(", ")}, which no rule reads (rule ${rule.kind}). ` +
        `The known hyperparameters are ${known.map((k) => JSON.stringify(k)).join(", ") || "(none)"}. Fix the spelling or remove it.`,
    );
  };
  const all = new Set<string>();
  for (const group of groups) {
    const known = knownFor(group.label);
    for (const k of known) all.add(k);
    if (known.includes("*")) continue;
    const unknown = Object.keys(group.spec.hyper ?? {}).filter((k) => !known.includes(k));
    if (unknown.length > 0) fail(`Group ${JSON.stringify(group.label)}`, unknown, known);
  }
  if (all.has("*")) return;
  const unknown = Object.keys(defaults).filter((k) => !all.has(k));
  if (unknown.length > 0) fail("The optimizer's defaults", unknown, [...all]);
}

/**
 * Resolves a group's hyperparameters at `step` and checks each number is finite and >= 0.
 *
 * @example
 * ```ts
 * resolveGroupHyper(optimizer.group("all"), 100); // e.g. { lr: 0.0951, momentum: 0.9 } under a cosine schedule
 * ```
 */
export function resolveGroupHyper(group: ParamGroup, step: number): ResolvedHyper {
  const out: Record<string, number | boolean> = {};
  for (const [name, value] of Object.entries(group.hyper)) {
    const v = resolveHyperValue(value, step);
    if (typeof v === "number" && !(Number.isFinite(v) && v >= 0)) {
      throw new SamConfigError(
        `Hyperparameter ${name} of group ${JSON.stringify(group.label)} is ${v} at step ${step}: it must be a finite number >= 0. ` +
          "Fix the value or the schedule that produced it.",
      );
    }
    out[name] = v;
  }
  return out;
}

tf.serialization.registerClass(GroupedOptimizer, "sam");

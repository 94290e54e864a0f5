import {
  type ParamGroup,
  rejectValue,
  type RuleConfig,
  SlotState,
  type StepContext,
  type StepCounter,
} from "@sam/core";
import type * as tf from "@tensorflow/tfjs-core";
import type { ConstraintSpec, ResolvedConstraint } from "../constraint";
import { defaultNoise, NOISE_STREAMS, type NoiseRole, type NoiseSource, noiseSourceOf } from "../noiseSource";

/** Options every rule of the package takes besides its hyperparameters. */
export interface NoiseOption {
  /** Where the N(0, 1) draws come from. Default {@link defaultNoise} ({@link fastNoise}: ziggurat over sfc32, seeded per draw). */
  readonly noise?: NoiseSource;
}

/**
 * A rule's state for one group: its slots, the constraints resolved for the group when it was
 * built, and (rules with a first half kick) the rule's own step counter on the group.
 */
export class ConstrainedState extends SlotState {
  constructor(
    slots: SlotState,
    /** `constraints[i]` applies to `group.params[i]` (or null). */
    readonly constraints: readonly (ResolvedConstraint | null)[],
    /** The group this state belongs to. */
    readonly group: ParamGroup,
    /** The rule's own steps on the group (`@<group>/<kind>.step`), when it keeps a clock. */
    readonly clock?: StepCounter,
  ) {
    super(slots.slots(), slots.byName);
  }
  override slots() {
    return [...super.slots(), ...(this.clock?.slots() ?? [])];
  }
  restored() {
    this.clock?.restored();
  }
  override dispose() {
    super.dispose();
    this.clock?.dispose();
  }
  /** The slot `name` of parameter i, or undefined when that parameter has none. */
  maybe(name: string, i: number): tf.Variable | undefined {
    return this.byName[name]?.[i];
  }
}

/**
 * The B-first kick length from the rule's own step counter: `h/2` on the rule's first step on
 * the group, `h` after; advances the counter. The rule's clock, not the optimizer's: under
 * `everyK(k, rule)` the first update the rule makes is its first step, whatever the
 * optimizer's step.
 */
export function firstHalfKick(state: ConstrainedState, h: number): number {
  const first = state.clock!.value === 0;
  state.clock!.tick();
  return first ? h / 2 : h;
}

/**
 * Draws the noise of one parameter for one role, scaled by `stddev`, of the parameter's shape
 * or of `shape` (the `[units]` slack of a ball constraint).
 */
export function draw(
  source: NoiseSource,
  group: ParamGroup,
  i: number,
  role: NoiseRole,
  stddev: number,
  ctx: StepContext,
  shape?: readonly number[],
): tf.Tensor {
  const param = group.params[i]!;
  return source.normal({
    shape: shape ?? param.shape,
    param,
    role,
    step: ctx.step,
    seed: ctx.seedFor(param.index, NOISE_STREAMS[role]),
    stddev,
  });
}

/** Splits a flat rule config into its hyperparameter defaults (the keys of `known`) and options. */
export function splitConfig<H extends Record<string, number>>(
  config: RuleConfig,
  known: Readonly<H>,
): { hyper: Partial<H>; noise: NoiseSource; constraints: ConstraintSpec[]; rest: Record<string, unknown> } {
  const hyper: Record<string, number> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === "kind" || k === "noise" || k === "constraints") continue;
    if (k in known) hyper[k] = Number(v);
    else rest[k] = v;
  }
  return {
    hyper: hyper as Partial<H>,
    noise: noiseSourceOf(config.noise ?? defaultNoise.kind),
    constraints: (config.constraints as ConstraintSpec[] | undefined) ?? [],
    rest,
  };
}

/** Checks a rule's constructor `defaults` names only known hyperparameters. */
export function checkKnown(rule: string, given: object, known: object): void {
  for (const k of Object.keys(given)) {
    if (!(k in known)) {
      rejectValue(
        `${rule}: hyperparameter ${JSON.stringify(k)}`,
        (given as Record<string, unknown>)[k],
        `${rule} does not read it (it reads ${Object.keys(known).join(", ")})`,
        "Check the spelling; see the rule's documentation for the parameter mapping.",
      );
    }
  }
}

import { type ParamGroup, rejectValue, type RuleConfig, SlotState, type StepContext } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import type { ConstraintSpec, ResolvedConstraint } from "../constraint";
import { defaultNoise, NOISE_STREAMS, type NoiseRole, type NoiseSource, noiseSourceOf } from "../noiseSource";

/** Options every rule of the package takes besides its hyperparameters. */
export interface NoiseOption {
  /** Where the N(0, 1) draws come from. Default {@link defaultNoise} ({@link fastNoise}: ziggurat over sfc32, seeded per draw). */
  readonly noise?: NoiseSource;
}

/** A rule's state: its slots plus the constraints resolved for its group when it was built. */
export class ConstrainedState extends SlotState {
  constructor(
    slots: SlotState,
    /** `constraints[i]` applies to `group.params[i]` (or null). */
    readonly constraints: readonly (ResolvedConstraint | null)[],
  ) {
    super(slots.slots(), slots.byName);
  }
  /** The slot `name` of parameter i, or undefined when that parameter has none. */
  maybe(name: string, i: number): tf.Variable | undefined {
    return this.byName[name]?.[i];
  }
}

/**
 * The B-first kick length from the rule's own step counter (slot `step`, a group scalar),
 * computed on the device: `h/2` on the rule's first step, `h` after. Advances the counter.
 * The rule's clock, not the optimizer's: under `everyK(k, rule)` the first update the rule
 * makes is its first step, whatever the optimizer's step.
 */
export function firstHalfKick(state: SlotState, h: number): tf.Tensor {
  const step = state.get("step", 0);
  const kick = tf.where(tf.equal(step, 0), tf.scalar(h / 2), tf.scalar(h));
  step.assign(tf.add(step, 1));
  return kick;
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

import { SamConfigError, show } from "../internal/errors";

/**
 * A schedule as plain data (serializable). `step` is the number of optimizer steps already
 * taken, so the first step reads `step = 0`.
 *
 * | spec | value at `step` |
 * | --- | --- |
 * | `{ schedule: 'constant', value }` | `value` |
 * | `{ schedule: 'step', value, every, gamma }` | `value * gamma^floor(step / every)` |
 * | `{ schedule: 'cosine', value, steps, final = 0 }` | `final + (value - final) * (1 + cos(pi * min(step, steps) / steps)) / 2` |
 * | `{ schedule: 'linear', from, to, steps }` | `from + (to - from) * min(step, steps) / steps` |
 * | `{ schedule: 'warmup', steps, then, from = 0 }` | linear from `from` to `then(0)` over `steps`, then `then(step - steps)` |
 * | `{ schedule: 'piecewise', boundaries, values }` | `values[i]` for the first `i` with `step < boundaries[i]`, else the last value |
 */
export type ScheduleSpec =
  | { readonly schedule: "constant"; readonly value: number }
  | { readonly schedule: "step"; readonly value: number; readonly every: number; readonly gamma: number }
  | { readonly schedule: "cosine"; readonly value: number; readonly steps: number; readonly final?: number }
  | { readonly schedule: "linear"; readonly from: number; readonly to: number; readonly steps: number }
  | {
      readonly schedule: "warmup";
      readonly steps: number;
      readonly then: number | ScheduleSpec;
      readonly from?: number;
    }
  | {
      readonly schedule: "piecewise";
      readonly boundaries: readonly number[];
      readonly values: readonly number[];
    };

/** A hyperparameter: a number, a flag, a schedule, or a function of the step (not serializable). */
export type HyperValue = number | boolean | ScheduleSpec | ((step: number) => number);

/** A group's hyperparameters by name, e.g. `{ lr: cosine(0.1, 1000), momentum: 0.9 }`. */
export type Hyper = Readonly<Record<string, HyperValue>>;

/** Hyperparameters resolved at one step: numbers and flags only. */
export type ResolvedHyper = Readonly<Record<string, number | boolean>>;

/** A constant schedule. @example `constant(0.1)` */
export const constant = (value: number): ScheduleSpec => ({ schedule: "constant", value });
/** Multiplies by `gamma` every `every` steps. @example `stepDecay(0.1, 30, 0.1)` */
export const stepDecay = (value: number, every: number, gamma: number): ScheduleSpec => ({
  schedule: "step",
  value,
  every,
  gamma,
});
/** Cosine decay from `value` to `final` over `steps`. @example `cosineDecay(0.1, 1000)` */
export const cosineDecay = (value: number, steps: number, final = 0): ScheduleSpec => ({
  schedule: "cosine",
  value,
  steps,
  final,
});
/** Linear ramp from `from` to `to` over `steps`, then constant. @example `linear(0, 0.05, 100)` */
export const linear = (from: number, to: number, steps: number): ScheduleSpec => ({
  schedule: "linear",
  from,
  to,
  steps,
});
/** Linear warm-up over `steps`, then `then`. @example `warmup(500, cosineDecay(0.1, 10000))` */
export const warmup = (steps: number, then: number | ScheduleSpec, from = 0): ScheduleSpec => ({
  schedule: "warmup",
  steps,
  then,
  from,
});
/** Piecewise constant. @example `piecewise([100, 200], [0.1, 0.01, 0.001])` */
export const piecewise = (boundaries: readonly number[], values: readonly number[]): ScheduleSpec => ({
  schedule: "piecewise",
  boundaries,
  values,
});

/**
 * The value of a hyperparameter at `step`.
 *
 * @example
 * ```ts
 * import { resolveHyperValue, stepDecay } from "@sam/core";
 *
 * resolveHyperValue(stepDecay(0.1, 10, 0.5), 25); // 0.025
 * ```
 */
export function resolveHyperValue(value: HyperValue, step: number): number | boolean {
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "function") return value(step);
  return evaluate(value, step);
}

function evaluate(s: ScheduleSpec, step: number): number {
  switch (s.schedule) {
    case "constant":
      return s.value;
    case "step":
      return s.value * s.gamma ** Math.floor(step / s.every);
    case "cosine": {
      const final = s.final ?? 0;
      const t = Math.min(step, s.steps) / s.steps;
      return final + ((s.value - final) * (1 + Math.cos(Math.PI * t))) / 2;
    }
    case "linear":
      return s.from + ((s.to - s.from) * Math.min(step, s.steps)) / s.steps;
    case "warmup": {
      const after = (k: number) => (typeof s.then === "number" ? s.then : evaluate(s.then, k));
      if (step >= s.steps) return after(step - s.steps);
      const from = s.from ?? 0;
      return from + ((after(0) - from) * (step + 1)) / (s.steps + 1);
    }
    case "piecewise": {
      const i = s.boundaries.findIndex((b) => step < b);
      return s.values[i === -1 ? s.values.length - 1 : i]!;
    }
    default:
      throw new SamConfigError(
        `The schedule ${show(s)} has an unknown kind. Use constant, step, cosine, linear, warmup or piecewise.`,
      );
  }
}

/** Whether every value of `hyper` is plain data (numbers, flags, schedule specs). */
export function isSerializableHyper(hyper: Hyper): boolean {
  return Object.values(hyper).every((v) => typeof v !== "function");
}

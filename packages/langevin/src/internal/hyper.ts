import { type ParamGroup, rejectValue } from "@sam/core";

/** Checks that a hyperparameter is a finite number > 0 (a step size, a friction). */
export function requirePositive(rule: string, group: ParamGroup | string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    const where = typeof group === "string" ? group : `group ${JSON.stringify(group.label)}`;
    rejectValue(
      `${rule}: hyperparameter ${name} of ${where}`,
      value,
      "it must be a finite number > 0",
      `Set ${name} to a positive value (e.g. in the group's hyper or the rule's defaults).`,
    );
  }
}

/** Checks that a hyperparameter is a finite number >= 0 (a temperature, a noise amplitude). */
export function requireNonNegative(
  rule: string,
  group: ParamGroup | string,
  name: string,
  value: number,
): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    const where = typeof group === "string" ? group : `group ${JSON.stringify(group.label)}`;
    rejectValue(
      `${rule}: hyperparameter ${name} of ${where}`,
      value,
      "it must be a finite number >= 0",
      name === "temperature"
        ? "Temperature is in mean-loss units: use 0 for no noise, or temperatureFromDatasetSize(N) = 1/N for a posterior."
        : `Set ${name} to a value >= 0.`,
    );
  }
}

/** Validates a rule's constructor defaults (the values the group may override later). */
export function checkDefaults(
  rule: string,
  defaults: Readonly<Record<string, number>>,
  positive: readonly string[],
  nonNegative: readonly string[],
): void {
  for (const k of positive) requirePositive(rule, "the rule defaults", k, defaults[k]!);
  for (const k of nonNegative) requireNonNegative(rule, "the rule defaults", k, defaults[k]!);
}

import {
  type ParamGroup,
  resolveGroupHyper,
  type RuleConfig,
  SamConfigError,
  textTable,
  type UpdateRule,
} from "@sam/core";
import type { MultirateRule } from "./multirateRule";

/** What a group does at one step of {@link describeSchedule}. */
export interface ScheduleCell {
  readonly label: string;
  /** Whether the optimizer asks for this group's gradient (back-propagates into it). */
  readonly gradient: boolean;
  /**
   * `step`: its rule runs on a fresh gradient (fast groups, or any rule without multirate);
   * `sync`: a slow group's synchronisation, a step of size h spread over its cycle (1/k now);
   * `drift`: it moves by 1/k of its last slow step, without a gradient;
   * `jump`: a slow group's whole step of size h at once (no drift);
   * `hold`: it does not move.
   */
  readonly action: "step" | "sync" | "drift" | "jump" | "hold";
  /** The step size its rule runs with (`lr` times the period), when it runs this step. */
  readonly stepSize?: number;
}

/** One step of {@link describeSchedule}. */
export interface ScheduleRow {
  readonly step: number;
  readonly cells: readonly ScheduleCell[];
  /** Scalars whose gradients are computed this step. */
  readonly gradientScalars: number;
}

/** The rows of {@link describeSchedule}; `toString()` renders them as a table. */
export interface ScheduleTable {
  readonly rows: readonly ScheduleRow[];
  toString(): string;
}

/** The part of a `GroupedOptimizer` {@link describeSchedule} reads. */
export interface ScheduledOptimizerLike {
  readonly groups: readonly ParamGroup[];
  readonly rule: UpdateRule;
  readonly step: number;
}

/**
 * Says which group moves when, and with which step: one row per optimizer step, one cell per
 * group (gradient or not; step, sync, drift, jump or hold; the step size). Works for any
 * `GroupedOptimizer`; a {@link multirateRule} is described in its own terms. Hyperparameters
 * are resolved at each step, so schedules show. `String(table)` is a fixed-width table.
 *
 * @example
 * ```ts
 * import { describeSchedule, multirate } from "@sam/multirate";
 *
 * const optimizer = multirate(model, { k: 3, lr: 0.01 });
 * console.log(String(describeSchedule(optimizer)));
 * // multirate schedule: periods fast=1 slow=3, linear drift
 * // step  fast (2 tensors, 85 scalars)  slow (8 tensors, 1,592 scalars)  gradient scalars
 * // 0     grad  step 0.01               grad  sync 0.03 (1/3 now)        1,677
 * // 1     grad  step 0.01               drift 1/3 (no grad)              85
 * // ...
 * ```
 */
export function describeSchedule(
  optimizer: ScheduledOptimizerLike,
  options: { steps?: number; from?: number } = {},
): ScheduleTable {
  const { groups, rule } = optimizer;
  const multi = isMultirate(rule) ? rule : null;
  const longest = multi ? Math.max(...groups.map((g) => multi.periodOf(g))) : 1;
  const steps = options.steps ?? longest + 1;
  const from = options.from ?? optimizer.step;
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(from) || from < 0) {
    throw new SamConfigError(
      `describeSchedule steps is ${steps} and from is ${from}: steps must be an integer >= 1 and from an integer >= 0.`,
    );
  }
  const rows: ScheduleRow[] = [];
  for (let step = from; step < from + steps; step++) {
    const cells = groups.map((group): ScheduleCell => {
      const gradient = multi ? step % multi.periodOf(group) === 0 : needsGradient(rule, group.label, step);
      const inner = multi ? multi.ruleOf(group) : rule;
      const lr = resolveGroupHyper(group, step)[multi?.stepSizeKey ?? "lr"] ?? inner.defaults.lr;
      const k = multi ? multi.periodOf(group) : 1;
      const size = typeof lr === "number" ? lr * k : undefined;
      const withSize = (action: ScheduleCell["action"]) =>
        size === undefined
          ? { label: group.label, gradient, action }
          : { label: group.label, gradient, action, stepSize: size };
      if (!gradient)
        return { label: group.label, gradient, action: multi?.drift && k > 1 ? "drift" : "hold" };
      if (k === 1) return withSize("step");
      return withSize(multi!.drift ? "sync" : "jump");
    });
    const gradientScalars = groups.reduce(
      (n, g, i) => n + (cells[i]!.gradient ? g.params.reduce((s, p) => s + p.size, 0) : 0),
      0,
    );
    rows.push({ step, cells, gradientScalars });
  }
  return { rows, toString: () => render(rows, groups, multi) };
}

function isMultirate(rule: UpdateRule): rule is MultirateRule {
  const r = rule as MultirateRule;
  return rule.kind === "multirate" && typeof r.periodOf === "function" && typeof r.ruleOf === "function";
}

const fmt = (n: number) => n.toLocaleString("en-US", { maximumSignificantDigits: 6 });

function render(rows: readonly ScheduleRow[], groups: readonly ParamGroup[], multi: MultirateRule | null) {
  const periodOf = (g: ParamGroup) => (multi ? multi.periodOf(g) : 1);
  const cellText = (c: ScheduleCell, g: ParamGroup) => {
    const size = c.stepSize === undefined ? "" : ` ${fmt(c.stepSize)}`;
    switch (c.action) {
      case "step":
        return `grad  step${size}`;
      case "sync":
        return `grad  sync${size} (1/${periodOf(g)} now)`;
      case "jump":
        return `grad  jump${size}`;
      case "drift":
        return `drift 1/${periodOf(g)} (no grad)`;
      default:
        return "hold  (no grad)";
    }
  };
  const header = [
    "step",
    ...groups.map(
      (g) =>
        `${g.label} (${g.params.length} tensors, ${fmt(g.params.reduce((n, p) => n + p.size, 0))} scalars)`,
    ),
    "gradient scalars",
  ];
  const body = rows.map((r) => [
    String(r.step),
    ...r.cells.map((c, i) => cellText(c, groups[i]!)),
    fmt(r.gradientScalars),
  ]);
  const title = multi
    ? `multirate schedule: periods ${groups.map((g) => `${g.label}=${periodOf(g)}`).join(" ")}, ${multi.drift ? "linear drift" : "no drift (one jump per cycle)"}`
    : "schedule";
  return `${title}\n${textTable(header, body)}`;
}

/**
 * Whether `rule` reads the gradient of group `label` at optimizer step `step`, read from the
 * rule's config: `everyK` runs on `step % k === phase` (its own count equals the optimizer's
 * step when both start together), combinators ask their inner rules, any other rule always.
 */
function needsGradient(rule: UpdateRule, label: string, step: number): boolean {
  let config: RuleConfig;
  try {
    config = rule.getConfig();
  } catch {
    return true; // a rule that cannot describe itself (fromTfOptimizer) runs every step
  }
  const walk = (c: RuleConfig): boolean => {
    switch (c.kind) {
      case "everyK":
        return (
          (c.gradient === "mean" || step % Number(c.k) === Number(c.phase)) && walk(c.rule as RuleConfig)
        );
      case "partition": {
        const inner = (c.rules as Record<string, RuleConfig>)[label];
        return inner ? walk(inner) : true;
      }
      case "chain":
        return (c.rules as RuleConfig[]).some(walk);
      case "scaleLr":
      case "drift":
        return walk(c.rule as RuleConfig);
      default:
        return true;
    }
  };
  return walk(config);
}

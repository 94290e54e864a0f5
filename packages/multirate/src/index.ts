/**
 * @packageDocumentation
 * `@sam/multirate`: multirate training (Vlaar and Leimkuhler, ICML 2022) on parameter groups.
 * Fast groups (by default the head) move every step with step size h/k; slow groups (the
 * pretrained body) take a gradient once every k steps with step size h and drift linearly in
 * between, so fast-only steps stop back-propagation at the head.
 */
import "./registerMultirateRules";

export { multirateSpeedup } from "./costModel";
export {
  describeSchedule,
  type ScheduleCell,
  type ScheduledOptimizerLike,
  type ScheduleRow,
  type ScheduleTable,
} from "./describeSchedule";
export { type FastGroupPlacement, fastGroupPlacement } from "./fastGroupPlacement";
export { headSelector } from "./headSelector";
export type { ModelOrParams } from "./internal/asParams";
export { DriftState, drift } from "./drift";
export { type MultirateOptions, multirate } from "./multirate";
export { SlowFirstState, slowFirst } from "./slowFirst";
export { type MultirateRule, type MultirateRuleOptions, multirateRule } from "./multirateRule";
export { type SubgroupMultirateOptions, subgroupMultirate } from "./subgroupMultirate";

/**
 * @packageDocumentation
 * `@sam/core`: a model's parameters, named and tagged, split into ordered, disjoint groups
 * that each get their own treatment; the grouped optimizer protocol (gradient oracles and
 * per-group update rules) every `@sam/*` method is built on.
 */

export { describeValue } from "./format/describeValue";
export { textTable } from "./format/textTable";
export { NonFiniteLossError, SamConfigError } from "./internal/errors";
export type { GradientOracle, GradientRequest, GradientResult, OracleState } from "./oracles/gradientOracle";
export { differentiate, plainGradient } from "./oracles/plainGradient";
export {
  type GroupedOptimizerConfig,
  GroupedOptimizer,
  type GroupedOptimizerOptions,
  resolveGroupHyper,
} from "./optimizer/groupedOptimizer";
export { oracleFromConfig, registerOracle, registerRule, ruleFromConfig } from "./optimizer/registry";
export {
  type CollectParamsOptions,
  collectParams,
  type LayerLike,
  type LayersModelLike,
  type LayerVariableLike,
  type SamModelMeta,
} from "./params/collectParams";
export { describeGroups, type GroupRow, type GroupTable } from "./params/describeGroups";
export { type FromVariablesOptions, fromVariables } from "./params/fromVariables";
export {
  type GroupParamsOptions,
  type GroupSpec,
  groupParams,
  type ParamGroup,
  singleGroup,
} from "./params/groupParams";
export {
  BUILTIN_TAGS,
  type LayerInfo,
  type Param,
  ParamSet,
  type ParamTag,
  type StateVariable,
} from "./params/param";
export { ParamSnapshot } from "./params/paramSnapshot";
export {
  and,
  block,
  compileSelector,
  everything,
  globToRegExp,
  hasTag,
  layerClass,
  layerIndex,
  not,
  or,
  pathGlob,
  pathMatches,
  rank,
  type Selector,
  type SelectorContext,
  type SelectorSpec,
} from "./params/selectors";
export { defaultTagRules, type TagRule, type TagSubject, tagsFor } from "./params/tagRules";
export { withPerturbation } from "./params/withPerturbation";
export { seedFor } from "./random/seedFor";
export { type ChunkedLoss, chunkedLoss, isChunkedLoss } from "./sam/chunkedLoss";
export {
  type AdaptiveMode,
  type PerturbationRule,
  type PerturbedTensor,
  perturbation,
} from "./sam/perturbation";
export { asam, type SamPresetOptions, sam, samNoNorm, samOn, usam } from "./sam/presets";
export {
  type AdaptiveOptions,
  type SamDiagnostics,
  type SamOracle,
  type SamOracleOptions,
  samOracle,
} from "./sam/samOracle";
export { withSplitConvolutionGradients } from "./sam/splitConvolutionGradients";
export { type AdamHyper, adam, adamw } from "./rules/adam";
export { ChainState, chainRules, clipByGlobalNorm, clipScale } from "./rules/chainRules";
export { type EveryKOptions, EveryKState, everyK } from "./rules/everyK";
export { WrapperState } from "./rules/wrapperState";
export { scaleLr } from "./rules/scaleLr";
export { NonFiniteStepError } from "./optimizer/nonFiniteStepError";
export { fromTfOptimizer } from "./rules/fromTfOptimizer";
export { gradsOf, noGrads, PartitionState, partitionRules } from "./rules/partitionRules";
export {
  constant,
  cosineDecay,
  type Hyper,
  type HyperValue,
  linear,
  piecewise,
  type ResolvedHyper,
  resolveHyperValue,
  type ScheduleSpec,
  stepDecay,
  warmup,
} from "./rules/schedule";
export { type SgdHyper, sgd } from "./rules/sgd";
export { allocateSlots } from "./rules/allocateSlots";
export {
  type AnyRule,
  asUpdateRule,
  type ExternalRuleState,
  type GroupGrads,
  type GroupRule,
  type HyperDefaults,
  isGroupRule,
  type NamedTensor,
  PerGroupState,
  perGroup,
  type Resolved,
  StepCounter,
  groupSlotName,
  NO_STATE,
  paramSlotName,
  type RuleConfig,
  type RuleState,
  SlotState,
  type StepContext,
  type UpdateRule,
  withDefaults,
} from "./rules/updateRule";
export { rejectValue } from "./errors/rejectValue";
export { createRng, type Rng } from "./random/createRng";
export { seedHash } from "./random/seedHash";
export { knownTags } from "./params/knownTags";
export type { SlotInit, SlotSpec } from "./rules/allocateSlots";
export { type NoDecayOptions, noDecayForNormAndBias } from "./params/noDecayForNormAndBias";
export { type LayerwiseLrDecayOptions, layerwiseLrDecay } from "./params/layerwiseLrDecay";

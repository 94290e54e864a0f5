/**
 * @packageDocumentation
 * `@sam/core`: a model's parameters, named and tagged, split into ordered, disjoint groups
 * that each get their own treatment; the grouped optimizer protocol (gradient oracles and
 * per-group update rules) every `@sam/*` method is built on.
 */

export { rejectValue } from "./errors/rejectValue";
export { describeValue } from "./format/describeValue";
export { textTable } from "./format/textTable";
export { NonFiniteLossError, SamConfigError } from "./internal/errors";
export {
  GroupedOptimizer,
  type GroupedOptimizerConfig,
  type GroupedOptimizerOptions,
  NO_SYNC_READ_BACKENDS,
  resolveGroupHyper,
} from "./optimizer/groupedOptimizer";
export { ALL_FINITE_KERNEL, allFinite } from "./optimizer/allFinite";
export { NonFiniteStepError } from "./optimizer/nonFiniteStepError";
export { oracleFromConfig, registerOracle, registerRule, ruleFromConfig } from "./optimizer/registry";
export type { GradientOracle, GradientRequest, GradientResult, OracleState } from "./oracles/gradientOracle";
export { differentiate, plainGradient } from "./oracles/plainGradient";
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
export { knownTags } from "./params/knownTags";
export { type LayerwiseLrDecayOptions, layerwiseLrDecay } from "./params/layerwiseLrDecay";
export { type NoDecayOptions, noDecayForNormAndBias } from "./params/noDecayForNormAndBias";
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
export { createRng, type Rng } from "./random/createRng";
export { seedFor } from "./random/seedFor";
export { seedHash } from "./random/seedHash";
export { type AdamHyper, adam, adamw } from "./rules/adam";
export type { SlotInit, SlotSpec } from "./rules/allocateSlots";
export { allocateSlots } from "./rules/allocateSlots";
export { ChainState, chainRules, clipByGlobalNorm, clipScale } from "./rules/chainRules";
export { type EveryKOptions, EveryKState, everyK } from "./rules/everyK";
export { fromTfOptimizer } from "./rules/fromTfOptimizer";
export { gradsOf, noGrads, PartitionState, partitionRules } from "./rules/partitionRules";
export { scaleLr } from "./rules/scaleLr";
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
export {
  type AnyRule,
  asUpdateRule,
  type ExternalRuleState,
  type GroupGrads,
  type GroupRule,
  groupSlotName,
  type HyperDefaults,
  isGroupRule,
  type NamedTensor,
  NO_STATE,
  PerGroupState,
  paramSlotName,
  perGroup,
  type Resolved,
  type RuleConfig,
  type RuleState,
  SlotState,
  type StepContext,
  StepCounter,
  type UpdateRule,
  withDefaults,
} from "./rules/updateRule";
export { WrapperState } from "./rules/wrapperState";
export { type AeSamOracleOptions, aeSamOracle } from "./sam/aeSamOracle";
export { type ChunkedLoss, chunkedLoss, isChunkedLoss } from "./sam/chunkedLoss";
export { type EsamMask, type EsamOracleOptions, esamOracle } from "./sam/esamOracle";
export { type FisherSamOracleOptions, fisherSamOracle } from "./sam/fisherSamOracle";
export { type FriendlySamOracleOptions, friendlySamOracle } from "./sam/friendlySamOracle";
export { type GsamOracleOptions, gsamOracle } from "./sam/gsamOracle";
export { type LookSamOracleOptions, lookSamOracle } from "./sam/lookSamOracle";
export { type MomentumSamOracleOptions, momentumSamOracle } from "./sam/momentumSamOracle";
export { isPerSampleLoss, type PerSampleLoss, perSampleLoss } from "./sam/perSampleLoss";
export {
  type AdaptiveMode,
  type PerturbationRule,
  type PerturbedTensor,
  perturbation,
} from "./sam/perturbation";
export { asam, type SamPresetOptions, sam, samNoNorm, samOn, usam } from "./sam/presets";
export { dotAll } from "./sam/samAlgebra";
export {
  type AdaptiveOptions,
  type SamDiagnostics,
  type SamOracle,
  type SamOracleOptions,
  samOracle,
} from "./sam/samOracle";
export { withSplitConvolutionGradients } from "./sam/splitConvolutionGradients";

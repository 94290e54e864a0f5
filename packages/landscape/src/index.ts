/**
 * @packageDocumentation
 * `@sam/landscape`: loss-landscape tools for TensorFlow.js models: linear interpolation
 * between parameter states (whole model or one group at a time), 1-D and 2-D slices along
 * filter-normalised or given directions, matrix-free Hessian tools (finite-difference
 * Hessian-vector products, power iteration, Lanczos, Hutchinson, stochastic Lanczos
 * quadrature), sharpness measures (SAM, ASAM, average case, m-sharpness, scale-invariant),
 * an edge-of-stability tracker, and plots as Vega-Lite specs rendered to SVG and PNG.
 * Browser-safe: no Node built-in is reachable from this entry; `writePlot` (files) is in
 * `@sam/landscape/node`.
 */

export { edgeOfStabilityThreshold, type ThresholdOptions } from "./eos/edgeOfStabilityThreshold";
// Edge of stability
export {
  type AdamPreconditioner,
  type EdgeOfStabilityOptions,
  type EdgeOfStabilityRecord,
  EdgeOfStabilityTracker,
} from "./eos/edgeOfStabilityTracker";
// Evaluation
export {
  type AsyncEvaluator,
  type Evaluation,
  type Evaluator,
  type EvaluatorLike,
  lossEvaluator,
} from "./evaluation/evaluator";
export { type ModelEvaluatorOptions, modelEvaluator } from "./evaluation/modelEvaluator";
export { type ApplyModel, type LossSpec, modelLoss } from "./evaluation/modelLoss";
export { type BatchNormModel, recomputeBatchNormStats } from "./evaluation/recomputeBatchNormStats";
// Hessian
export {
  type GroupHessianRow,
  type GroupHessianSummaryOptions,
  groupHessianSummary,
} from "./hessian/groupHessianSummary";
export {
  type HessianOperator,
  type HessianOperatorOptions,
  hessianOperator,
} from "./hessian/hessianOperator";
export {
  DEFAULT_HVP_EPSILON,
  type HvpMethod,
  type HvpOptions,
  hessianVectorProduct,
} from "./hessian/hessianVectorProduct";
export { type HutchinsonOptions, type HutchinsonResult, hutchinsonTrace } from "./hessian/hutchinsonTrace";
export { type LanczosOptions, type LanczosResult, lanczos } from "./hessian/lanczos";
export { type LinearOperator, matrixOperator } from "./hessian/linearOperator";
export {
  type PowerIterationOptions,
  type PowerIterationResult,
  powerIteration,
} from "./hessian/powerIteration";
export {
  type SpectralDensityOptions,
  type SpectralDensityResult,
  spectralDensity,
} from "./hessian/spectralDensity";
// Interpolation
export { alphaGrid } from "./interpolation/alphaGrid";
export {
  type BatchNormStatsMode,
  type InterpolateOptions,
  type InterpolationCurve,
  type InterpolationResult,
  interpolate,
} from "./interpolation/interpolate";
export {
  type InterpolationMetrics,
  type InterpolationMetricsOptions,
  interpolationMetrics,
} from "./interpolation/interpolationMetrics";
// Parameter states
export {
  applyState,
  type CaptureStateOptions,
  captureState,
  captureStateAsync,
  type ParamState,
  type ParamStateJSON,
  stateFromJSON,
  stateFromValues,
  stateToJSON,
  type TensorValue,
} from "./paramState";
// Plots
export { type InterpolationPlotOptions, interpolationPlot } from "./plots/interpolationPlot";
export { makePlot, type Plot, type PngOptions, type VegaLiteSpec } from "./plots/plot";
export { type SharpnessPlotOptions, sharpnessPlot } from "./plots/sharpnessPlot";
export { type SlicePlotOptions, slicePlot } from "./plots/slicePlot";
export { type SpectrumPlotOptions, spectrumPlot } from "./plots/spectrumPlot";
export type { OnProgress, Progress } from "./progress";
// Sharpness
export { type AdaptiveSharpnessOptions, adaptiveSharpness } from "./sharpness/adaptiveSharpness";
export {
  type AverageSharpnessOptions,
  type AverageSharpnessResult,
  averageSharpness,
} from "./sharpness/averageSharpness";
export { type MSharpnessOptions, type MSharpnessResult, mSharpness } from "./sharpness/mSharpness";
export {
  type ScaleInvariantSharpnessOptions,
  type ScaleInvariantSharpnessResult,
  scaleInvariantSharpness,
} from "./sharpness/scaleInvariantSharpness";
export {
  type SharpnessResult,
  type WorstCaseSharpnessOptions,
  worstCaseSharpness,
} from "./sharpness/worstCaseSharpness";
// Slices and directions
export type { Direction } from "./slices/direction";
export {
  type DirectionNormalization,
  filterCount,
  type NormalizeDirectionOptions,
  normalizeDirection,
} from "./slices/normalizeDirection";
export { type RandomDirectionOptions, randomDirection } from "./slices/randomDirection";
export { type Slice1dOptions, type Slice1dResult, slice1d } from "./slices/slice1d";
export { type Slice2dOptions, type Slice2dResult, slice2d } from "./slices/slice2d";
export {
  type TrajectoryDirectionsOptions,
  type TrajectoryDirectionsResult,
  trajectoryDirections,
} from "./slices/trajectoryDirections";
export { validateStates } from "./validateStates";

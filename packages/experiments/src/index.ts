/**
 * @packageDocumentation
 * `@sam/experiments`: `sam-train`, a training run from one JSON config (model, data, method,
 * schedule) with a run directory (config, metrics, summary, curves) and checkpoints that a
 * resumed run continues bit-identically after a kill.
 */

export {
  CHECKPOINT_FORMAT,
  type CheckpointState,
  type MetricsLine,
  TIMING_FIELDS,
} from "./checkpoint/checkpointState";
export {
  CheckpointError,
  type LoadedCheckpoint,
  readCheckpoint,
  restoreCheckpoint,
} from "./checkpoint/readCheckpoint";
export { checkpointName, listCheckpoints, writeCheckpoint } from "./checkpoint/writeCheckpoint";
export { type SamTrainIo, samTrain, USAGE } from "./cli/samTrain";
export { HYPER_KEYS, isSamFamily, parseRunConfig } from "./config/parseRunConfig";
export {
  BASE_RULES,
  DATA_SOURCES,
  METHOD_NAMES,
  MODEL_BUILDERS,
  type RunConfig,
  type RunConfigInput,
  runConfigSchema,
} from "./config/runConfig";
export { configDoc } from "./docs/configDoc";
export { loadRunData, type RunData } from "./data/loadRunData";
export { STREAMS, streamSeed } from "./data/streams";
export { symmetricLabelNoise } from "./data/symmetricLabelNoise";
export { buildOptimizer } from "./method/buildOptimizer";
export { buildModel, refuseUnseededRandomLayers } from "./model/buildModel";
export { evaluate } from "./run/evaluate";
export {
  configSha256,
  type RunSummary,
  type StepProgress,
  type TrainRunOptions,
  trainRun,
} from "./run/trainRun";
export { weightsSha256 } from "./run/weightsSha256";
export { expandTrials, setPath, type SweepAxes, type Trial } from "./sweep/expandTrials";

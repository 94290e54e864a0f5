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
export { type SamSweepIo, SWEEP_USAGE, samSweep } from "./cli/samSweep";
export { type SamTrainIo, samTrain, USAGE } from "./cli/samTrain";
export { describeIssue, HYPER_KEYS, isSamFamily, parseRunConfig } from "./config/parseRunConfig";
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
export { resolveInside } from "./fs/resolveInside";
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
export { type ExecuteTrialOptions, executeTrial, type TrialOutcome } from "./sweep/executeTrial";
export { expandTrials, setPath, type SweepAxes, type Trial } from "./sweep/expandTrials";
export { parseRedisUrl, type RedisUrlOptions } from "./sweep/redisUrl";
export { reportPlots } from "./sweep/reportPlots";
export {
  cellLabel,
  loadSweepSpec,
  REPORT_METRICS,
  type ResolvedSweep,
  resolveSweep,
  type SweepTrial,
} from "./sweep/resolveSweep";
export { type LocalSweepOptions, runLocalSweep, type SweepRunSummary } from "./sweep/runLocalSweep";
export { type RedisSweepOptions, runRedisSweep } from "./sweep/runRedisSweep";
export { runSweepWorker, type SweepWorkerOptions, type TrialJobResult } from "./sweep/runSweepWorker";
export {
  runTrialProcess,
  samTrainCommand,
  type TrialProcessOptions,
  type TrialProcessResult,
} from "./sweep/runTrialProcess";
export {
  prepareSweepDir,
  readSweepFile,
  SWEEP_FORMAT,
  type SweepFile,
  type TrialFailure,
  type TrialStatus,
  trialDir,
  trialStatus,
} from "./sweep/sweepDir";
export {
  type ReportCell,
  type ReportComparison,
  reportMarkdown,
  type SweepReport,
  sweepReport,
} from "./sweep/sweepReport";
export { checkSweepJob, JOB_FORMAT, type SweepJob, sweepJob, sweepJobSchema } from "./sweep/sweepJob";
export { type SweepSpec, type SweepSpecInput, sweepSpecSchema } from "./sweep/sweepSpec";
export { type MeanSe, meanSe, type PairedDifference, pairedDifference } from "./sweep/sweepStats";
export { canonicalJson, trialId } from "./sweep/trialId";
export { resultText, type TrialResult, trialResult } from "./sweep/trialResult";
export { writeSweepReport } from "./sweep/writeSweepReport";

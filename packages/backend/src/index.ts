/**
 * @packageDocumentation
 * `@sam/backend`: picks and prepares the fastest TensorFlow.js backend available:
 * tfjs-node(-gpu) when installed, else wasm with the training kernels it lacks, else cpu.
 */

// Choosing a backend
export {
  BACKEND_ENV_VAR,
  type BackendAttempt,
  type BackendChoice,
  type BackendKind,
  DEFAULT_BACKEND_ORDER,
  type InitWasmThreads,
  type SetupBackendOptions,
  setupBackend,
} from "./setupBackend";
export type { WasmThreadsResult } from "./node/initWasmWithThreads";
export { chunkedAddNConfig, registerWebGpuAddN } from "./kernels/chunkedAddN";
export { type SetupWebGpuOptions, setupWebGpu, type WebGpuInfo } from "./setupWebGpu";

// wasm training kernels
export {
  type RegisterWasmTrainingKernelsOptions,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  type WasmTrainingKernelName,
} from "./registerWasmTrainingKernels";
export { conv2dBackpropFilter, conv2dBackpropFilterConfig } from "./kernels/conv2dBackpropFilter";
export { conv2dBackpropInput, conv2dBackpropInputConfig } from "./kernels/conv2dBackpropInput";
export {
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropFilterConfig,
} from "./kernels/depthwiseConv2dNativeBackpropFilter";
export {
  depthwiseConv2dNativeBackpropInput,
  depthwiseConv2dNativeBackpropInputConfig,
} from "./kernels/depthwiseConv2dNativeBackpropInput";
export { makeTileConfig, tileInto } from "./kernels/tile";
export { makeCastConfig, makeIdentityConfig } from "./kernels/shareData";
export { makeBatchMatMulConfig } from "./kernels/batchMatMul";
export { ALL_FINITE, allFiniteConfig } from "./kernels/allFinite";
export {
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
  adaptiveLangevinFirstHalfConfig,
  adaptiveLangevinSecondHalfConfig,
  UNDERDAMPED_LANGEVIN_UPDATE,
  underdampedLangevinUpdateConfig,
} from "./kernels/langevinUpdates";
export { segmentSumInto, unsortedSegmentSumConfig } from "./kernels/unsortedSegmentSum";
export {
  registerTrainingGradients,
  TRAINING_GRADIENTS,
  unregisterTrainingGradients,
} from "./registerTrainingGradients";
export { makeFusedBatchNormGradConfig } from "./gradients/fusedBatchNormGrad";
export { meanGradConfig, sumGradConfig } from "./gradients/reduceGrads";
export { tileGradConfig } from "./gradients/tileGrad";
export {
  makeChannelBroadcastConfig,
  channelCoefficients,
  type ChannelBroadcastOp,
} from "./kernels/channelBroadcast";
export { makeChannelReduceConfig } from "./kernels/channelReduce";
export { batchNormScale, makeFusedBatchNormConfig } from "./kernels/fusedBatchNorm";

// wasm memory
export {
  type GuardWasmHeapOptions,
  guardWasmHeap,
  resetWasmHeapPeak,
  WASM_HEAP_MAX_BYTES,
  type WasmHeapStats,
  wasmHeapStats,
} from "./memory/guardWasmHeap";
export { type WasmOutOfMemoryDetails, WasmOutOfMemoryError } from "./memory/wasmOutOfMemoryError";

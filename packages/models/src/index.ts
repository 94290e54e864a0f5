/**
 * @packageDocumentation
 * `@sam/models`: model builders with stable layer names, block metadata and tags; data sets and
 * loaders; weight save/load for transfer learning. Node only for file I/O; no libtensorflow.
 */

// Models
export { type CifarResNetOptions, cifarResNet } from "./models/cifarResNet";
export { type MlpOptions, mlp } from "./models/mlp";
export { type SmallConvNetOptions, smallConvNet } from "./models/smallConvNet";
export { type TextTransformerOptions, textTransformer } from "./models/textTransformer";
export { type VitOptions, vit } from "./models/vit";
export { type WideResNetOptions, wideResNet } from "./models/wideResNet";
export { getSamMeta, type SamModel, type SamModelMeta, type WithSamMeta } from "./samMeta";

// Custom layers
export { type MultiHeadAttentionArgs, MultiHeadAttention } from "./layers/multiHeadAttention";
export { type PositionEmbeddingArgs, PositionEmbedding } from "./layers/positionEmbedding";
export { registerSamLayers } from "./layers/registerSamLayers";

// Weights I/O (Node)
export { type FileHandler, fileHandler } from "./weights/fileHandler";
export { type LoadBackboneOptions, loadBackbone } from "./weights/loadBackbone";
export { loadModel } from "./weights/loadModel";
export { type LoadWeightsOptions, loadWeights } from "./weights/loadWeights";
export { saveWeights } from "./weights/saveWeights";
export type { WeightsReport } from "./weights/weightsReport";

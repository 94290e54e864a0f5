/**
 * @packageDocumentation
 * `@sam/models`: model builders with stable layer names, block metadata and tags; data sets and
 * loaders; weight save/load for transfer learning. Browser-safe: no Node built-in is reachable from
 * this entry; file readers, downloads and checkpoint files are in `@sam/models/node`. No libtensorflow.
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

// Weights I/O and file readers are Node-only: `@sam/models/node`.
export type { WeightsReport } from "./weights/weightsReport";

// Data
export { type AugmentOptions, augmentImages } from "./data/augmentImages";
export { type Batch, type BatchesOptions, batches } from "./data/batches";
export { createRng, type Rng } from "@sam/core";
export { checkDataset, type Dataset, sliceDataset, toTensors } from "./data/dataset";
export { DATASET_SOURCES, type DatasetName } from "./data/datasetSources";
export { type GaussianBlobsOptions, gaussianBlobs } from "./data/gaussianBlobs";
export { type ChannelStats, channelStats, normalizeChannels } from "./data/normalizeChannels";
export { type CifarOptions, parseCifar } from "./data/parseCifar";
export { type CsvOptions, parseCsv } from "./data/parseCsv";
export { FASHION_MNIST_CLASSES, type IdxArray, parseIdx } from "./data/parseIdx";
export { type MnistDigitsOptions, type MnistDigitsSplit, mnistDigits } from "./data/mnistDigits";
export { SHAPE_FAMILIES, type ShapesOptions, shapes } from "./data/shapes";
export { type SpiralsOptions, spirals } from "./data/spirals";
export { type SyntheticTextOptions, syntheticText } from "./data/syntheticText";
export { type TwoMoonsOptions, twoMoons } from "./data/twoMoons";

/**
 * @packageDocumentation
 * `@sam/models/node`: the Node-only parts of `@sam/models`: checkpoint directories (atomic
 * `saveWeights`, `loadWeights`, `loadBackbone`, `loadModel`, the `fileHandler` IOHandler), file
 * readers for IDX/MNIST, CIFAR binaries and CSV (paths or bytes, gzipped or not), and
 * `downloadDataset`. The byte-level parsers they use (`parseIdx`, `parseCifar`, `parseCsv`) are in
 * the main entry, which bundles for the browser.
 */

export { type DownloadOptions, downloadDataset } from "./data/downloadDataset";
export { readCifar } from "./data/readCifar";
export { readCsv } from "./data/readCsv";
export { type ReadMnistOptions, readIdx, readMnist } from "./data/readIdx";
export type { ByteSource } from "./internal/readBytes";
export { resolveInside } from "./fs/resolveInside";
export { type FileHandler, fileHandler } from "./weights/fileHandler";
export { type LoadBackboneOptions, loadBackbone } from "./weights/loadBackbone";
export { loadModel } from "./weights/loadModel";
export { type LoadWeightsOptions, loadWeights } from "./weights/loadWeights";
export { saveWeights } from "./weights/saveWeights";

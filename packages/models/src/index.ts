/**
 * @packageDocumentation
 * `@sam/models`: model builders with stable layer names, block metadata and tags; data sets and
 * loaders; weight save/load for transfer learning. Node only for file I/O; no libtensorflow.
 */
export { type CifarResNetOptions, cifarResNet } from "./models/cifarResNet";
export { getSamMeta, type SamModel, type SamModelMeta, type WithSamMeta } from "./samMeta";

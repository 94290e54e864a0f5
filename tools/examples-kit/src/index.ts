/**
 * @packageDocumentation
 * `@sam/examples-kit` (private): what the examples and the demo share.
 */
export { formatTable } from "./formatTable";
export { progressBar } from "./progressBar";
export { accuracy, type TrainOptions, trainClassifier } from "./trainClassifier";

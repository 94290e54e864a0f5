/**
 * @packageDocumentation
 * `@sam/testing` (private): tensor asserts, the leak checker, fixtures and the optimizer
 * conformance suite every optimizer of the project runs.
 */
export { expectNoLeak, type NoLeakOptions } from "./expectNoLeak";
export { expectTensorsClose, expectTensorsEqual, type Tolerance } from "./expectTensorsClose";
export { quadratic, rosenbrock } from "./fixtures/quadratic";
export { syntheticBatch, tinyBatchNorm, tinyConv, tinyDense, tinyLayerNorm } from "./fixtures/tinyModels";
export {
  type ConformanceSubject,
  type Equivalence,
  type OptimizerLike,
  optimizerConformance,
} from "./optimizerConformance";

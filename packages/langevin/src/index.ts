/**
 * @packageDocumentation
 * `@sam/langevin`: thermodynamic training methods as update rules on parameter groups of
 * `@sam/core`: SGLD, underdamped Langevin (BAOAB), overdamped Langevin, Adaptive Langevin,
 * the partitioned schemes LaLa, AdLaLa and LOL, and constrained Langevin (orthogonal,
 * sphere and circle constraints), with injected noise, diagnostics and a case-file replay.
 */
import "./registerLangevinRules";

export {
  type AdaptiveLangevinHyper,
  type AdaptiveLangevinOptions,
  adaptiveLangevin,
} from "./adaptiveLangevin";
export {
  type ConstraintOptions,
  type ConstraintSpec,
  ball,
  circle,
  orthogonal,
  sphere,
} from "./constraint";
export type { OnInfeasible } from "./internal/constrainedState";
export { type LangevinHyper, type LangevinOptions, langevin } from "./langevin";
export {
  defaultNoise,
  fastNoise,
  gaussianArray,
  NOISE_STREAMS,
  type NoiseRequest,
  type NoiseRole,
  type NoiseSource,
  registerNoiseSource,
  tfNoise,
} from "./noiseSource";
export { type OverdampedHyper, overdampedLangevin } from "./overdampedLangevin";
export { projectOntoConstraint } from "./projectOntoConstraint";
export { replayLangevinCase } from "./replayLangevinCase";
export { type SgldHyper, type SgldOptions, sgld } from "./sgld";
export { fromHeavyBall, fromWellingTeh, temperatureFromDatasetSize, toHeavyBall } from "./temperature";
export {
  ADAPTIVE_LANGEVIN_FIRST_HALF,
  ADAPTIVE_LANGEVIN_SECOND_HALF,
  adaptiveLangevinUpdate,
  type ThermostatHalf,
  UNDERDAMPED_LANGEVIN_UPDATE,
  type UnderdampedUpdateCoefficients,
  underdampedUpdate,
} from "./updateKernels";
export { type AdlalaOptions, adlala, adlalaRule } from "./adlala";
export { type LalaOptions, lala, lalaRule } from "./lala";
export { type LolOptions, lol, lolRule } from "./lol";
export type { PartitionedOptions } from "./internal/partitioned";
export {
  diagnosticsCallback,
  type GroupDiagnostics,
  type LangevinDiagnostics,
  langevinDiagnostics,
  type TensorDiagnostics,
} from "./langevinDiagnostics";

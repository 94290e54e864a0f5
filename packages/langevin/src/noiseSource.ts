import { type Param, rejectValue } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { compiledGaussianArray, compiledGaussianView } from "./internal/compiledZiggurat";
import { gaussianArrayReference } from "./internal/zigguratReference";

/**
 * Which draw of a step a request is for (the roles of the spec's case files):
 * `R` the O-step (or SGLD) noise, `R1` / `R2` the two D half-steps of Adaptive Langevin,
 * `Rs` the noise of a circle or ball constraint's slack coordinates (O-step, SGLD), and
 * `Rs1` / `Rs2` that of the slack in Adaptive Langevin's two D half-steps.
 */
export type NoiseRole = "R" | "R1" | "R2" | "Rs" | "Rs1" | "Rs2";

/**
 * The stream number of each role, passed to `StepContext.seedFor(paramIndex, stream)`.
 *
 * @example
 * ```ts
 * import { rejectValue, seedFor } from "@sam/core";
 * import { NOISE_STREAMS } from "@sam/langevin";
 *
 * const seed = seedFor(1, 0, 3, NOISE_STREAMS.R1); // the first AdLa draw of parameter 3 at step 0
 * ```
 */
export const NOISE_STREAMS: Readonly<Record<NoiseRole, number>> = Object.freeze({
  R: 0,
  R1: 1,
  R2: 2,
  Rs: 3,
  Rs1: 4,
  Rs2: 5,
});

/** One request for standard normal draws. */
export interface NoiseRequest {
  /** Shape of the draw: the parameter's shape; `[units]` for the slack of a `ball` constraint. */
  readonly shape: readonly number[];
  /** The parameter the draw is for. */
  readonly param: Param;
  /** Which draw of the step. */
  readonly role: NoiseRole;
  /** Optimizer steps taken before this one. */
  readonly step: number;
  /** `ctx.seedFor(param.index, NOISE_STREAMS[role])`: never 0, unique per (seed, step, param, role). */
  readonly seed: number;
  /**
   * Standard deviation to scale the draws by (the integrator's noise coefficient); a source
   * that cannot scale for free may return `stddev * N(0, 1)` with one multiplication.
   */
  readonly stddev: number;
}

/**
 * Where the integrators get their N(0, 1) draws. The default, {@link fastNoise}, draws them
 * with a fast seeded JavaScript generator; {@link tfNoise} calls `tf.randomNormal` with the
 * step's seed (same distribution, other numbers, 2-3x the cost); a case replay injects
 * recorded draws. `normal` runs inside the optimizer's `tf.tidy`, so the tensor it returns is
 * released with the step.
 */
export interface NoiseSource {
  /** Name saved in rule configs; a custom source is rebuilt by {@link registerNoiseSource}. */
  readonly kind: string;
  /** A float32 tensor of `request.shape` with independent N(0, stddev^2) entries. */
  normal(request: NoiseRequest): tf.Tensor;
}

/**
 * Noise from `tf.randomNormal(shape, 0, 1, 'float32', seed)`: reproducible for a given
 * optimizer seed, and a restored optimizer continues the same stream. Not the default:
 * tfjs draws these on the CPU in JavaScript (Marsaglia's polar method over seedrandom's
 * alea), 2-3x slower than {@link fastNoise}; choose it to match draws made with
 * `tf.randomNormal` elsewhere.
 *
 * @example
 * ```ts
 * import { langevin, tfNoise } from "@sam/langevin";
 *
 * const rule = langevin({ h: 0.1, friction: 1, temperature: 1e-4 }, { noise: tfNoise });
 * ```
 */
export const tfNoise: NoiseSource = Object.freeze({
  kind: "tf",
  normal: (r: NoiseRequest) => tf.randomNormal([...r.shape], 0, r.stddev, "float32", r.seed),
});

/**
 * Noise from a fast seeded generator ({@link gaussianArray}: ziggurat over sfc32, compiled to
 * WebAssembly, on the wasm backend written straight from the generator's memory into the new
 * tensor): the default of every rule ({@link defaultNoise}).
 * Same distribution as {@link tfNoise}, other numbers, and 2-3x cheaper than
 * `tf.randomNormal` (Marsaglia's polar method over seedrandom's alea), whose draws cost more
 * than the rest of a BAOAB step's overhead on an MLP (see the package README's bench figures).
 * Seeded per (optimizer seed, step, parameter, role), so a restored optimizer continues the
 * same stream.
 *
 * @example
 * ```ts
 * import { sgld, fastNoise } from "@sam/langevin";
 *
 * const rule = sgld({ lr: 1e-3, temperature: 1e-4 }, { noise: fastNoise });
 * ```
 */
export const fastNoise: NoiseSource = Object.freeze({
  kind: "fast",
  normal: (r: NoiseRequest) => {
    const size = r.shape.reduce((a, b) => a * b, 1);
    // tfjs-backend-wasm copies a new tensor's values into its heap at once, so the compiled
    // draws can go in as a view of the ziggurat's memory; cpu, webgl and tensorflow keep the
    // array until later, so they get a copy (a fresh 2.7 MB array costs 1-10 ms here)
    const view = tf.getBackend() === "wasm" ? compiledGaussianView(size, r.seed, r.stddev) : undefined;
    return tf.tensor(view ?? gaussianArray(size, r.seed, r.stddev), [...r.shape], "float32");
  },
});

/**
 * The noise source a rule uses when its options name none: {@link fastNoise}. Rebuilding a
 * rule from a config without a `noise` entry also uses it.
 *
 * @example
 * ```ts
 * import { defaultNoise, langevin } from "@sam/langevin";
 *
 * langevin().getConfig().noise === defaultNoise.kind; // "fast"
 * ```
 */
export const defaultNoise: NoiseSource = fastNoise;

/**
 * `size` independent N(0, stddev^2) numbers from seed `seed`, deterministic: the ziggurat
 * method (Marsaglia and Tsang 2000; about 99% of draws cost one 32-bit random number, one
 * table look-up and one comparison) over sfc32 (Doty-Humphrey's small fast counting
 * generator, state seeded through splitmix32 so nearby seeds give unrelated streams). Runs
 * the compiled WebAssembly copy (`kernels-c/ziggurat.c`, about 2 ns a draw here against 11 for
 * JavaScript) where WebAssembly is available, the JavaScript reference elsewhere: the two give
 * the same numbers bit for bit. Exported for tests and for callers that want host-side draws.
 *
 * @example
 * ```ts
 * import { gaussianArray } from "@sam/langevin";
 *
 * const draws = gaussianArray(1000, 42); // Float32Array, mean ~0, variance ~1
 * ```
 */
export function gaussianArray(size: number, seed: number, stddev = 1): Float32Array {
  return compiledGaussianArray(size, seed, stddev) ?? gaussianArrayReference(size, seed, stddev);
}

const sources = new Map<string, NoiseSource>([
  ["tf", tfNoise],
  ["fast", fastNoise],
]);

/**
 * Makes a custom noise source known by its `kind`, so a rule config naming it can be loaded
 * (`GroupedOptimizer.load`). The built-in kinds are `tf` and `fast`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerNoiseSource } from "@sam/langevin";
 *
 * registerNoiseSource({ kind: "zeros", normal: (r) => tf.zeros([...r.shape]) });
 * ```
 */
export function registerNoiseSource(source: NoiseSource): void {
  sources.set(source.kind, source);
}

/** The registered noise source of this kind. */
export function noiseSourceOf(kind: unknown): NoiseSource {
  const source = sources.get(String(kind));
  if (!source) {
    rejectValue(
      "The rule config's noise source",
      kind,
      `no noise source of that kind is registered (known: ${[...sources.keys()].join(", ")})`,
      "Call registerNoiseSource(source) before loading the config.",
    );
  }
  return source;
}

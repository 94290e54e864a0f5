import type { ParamSet } from "@sam/core";
import { SamConfigError } from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";

/** One tensor's value, detached from the engine: its shape and its float32 values. */
export interface TensorValue {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * A parameter state: the values of a model's parameters (and, when captured, its
 * BatchNorm moving statistics), keyed by the stable paths of its {@link ParamSet}. It
 * holds plain `Float32Array`s, not tensors, so it never leaks, outlives any tidy, and
 * converts to JSON with {@link stateToJSON}.
 *
 * @example
 * ```ts
 * import { captureState, type ParamState } from "@sam/landscape";
 *
 * const state: ParamState = captureState(params);
 * state.params["fc1/kernel"].shape; // [2, 8]
 * ```
 */
export interface ParamState {
  /** Trainable parameters by path (`params.paths()`). */
  readonly params: Readonly<Record<string, TensorValue>>;
  /** State variables (BatchNorm moving statistics) by path; empty when not captured. */
  readonly stats: Readonly<Record<string, TensorValue>>;
}

/** {@link ParamState} as plain JSON (numbers in arrays), what a notebook reads. */
export interface ParamStateJSON {
  params: Record<string, { shape: number[]; values: number[] }>;
  stats: Record<string, { shape: number[]; values: number[] }>;
}

/** Options of {@link captureState}. */
export interface CaptureStateOptions {
  /** Also capture `params.stateVariables` (BatchNorm moving statistics). Default true. */
  readonly stats?: boolean;
}

function read(variable: tf.Tensor): TensorValue {
  // dataSync may hand back the backend's own buffer: copy it.
  return { shape: [...variable.shape], values: Float32Array.from(variable.dataSync() as Float32Array) };
}

/**
 * Captures the current values of a {@link ParamSet}'s parameters (and BatchNorm moving
 * statistics) as a {@link ParamState}: the endpoint of an interpolation, a checkpoint of a
 * trajectory, the centre of a slice.
 *
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { captureState } from "@sam/landscape";
 *
 * const params = collectParams(model);
 * const init = captureState(params);
 * await model.fit(x, y, { epochs: 5 });
 * const final = captureState(params);
 * ```
 */
export function captureState(params: ParamSet, options: CaptureStateOptions = {}): ParamState {
  const out: Record<string, TensorValue> = {};
  for (const p of params.params) out[p.path] = read(p.variable);
  const stats: Record<string, TensorValue> = {};
  if (options.stats ?? true) for (const s of params.stateVariables) stats[s.path] = read(s.variable);
  return { params: out, stats };
}

/**
 * {@link captureState}, reading the values with `await data()` instead of `dataSync()`: for the
 * webgpu backend, which has no synchronous reads (and anywhere the page must stay responsive).
 *
 * @example
 * ```ts
 * import { collectParams } from "@sam/core";
 * import { captureStateAsync } from "@sam/landscape";
 *
 * const init = await captureStateAsync(collectParams(model));
 * ```
 */
export async function captureStateAsync(
  params: ParamSet,
  options: CaptureStateOptions = {},
): Promise<ParamState> {
  const readAsync = async (variable: tf.Tensor): Promise<TensorValue> => ({
    shape: [...variable.shape],
    values: Float32Array.from((await variable.data()) as Float32Array),
  });
  const out: Record<string, TensorValue> = {};
  for (const p of params.params) out[p.path] = await readAsync(p.variable);
  const stats: Record<string, TensorValue> = {};
  if (options.stats ?? true)
    for (const s of params.stateVariables) stats[s.path] = await readAsync(s.variable);
  return { params: out, stats };
}

/**
 * Builds a {@link ParamState} from tensors or arrays keyed by path (for example weights
 * loaded from elsewhere). Tensors are read, not kept; arrays need `shapes`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { stateFromValues } from "@sam/landscape";
 *
 * const state = stateFromValues({ w: tf.tensor1d([1, 2]) });
 * ```
 */
export function stateFromValues(
  params: Readonly<Record<string, tf.Tensor | TensorValue>>,
  stats: Readonly<Record<string, tf.Tensor | TensorValue>> = {},
): ParamState {
  const convert = (record: Readonly<Record<string, tf.Tensor | TensorValue>>) => {
    const out: Record<string, TensorValue> = {};
    for (const [path, value] of Object.entries(record)) {
      if (typeof (value as tf.Tensor).dataSync === "function") out[path] = read(value as tf.Tensor);
      else {
        const v = value as TensorValue;
        const size = v.shape.reduce((n, d) => n * d, 1);
        if (!v.values || v.values.length !== size) {
          throw new SamConfigError(
            `stateFromValues: ${JSON.stringify(path)} has shape [${v.shape.join(", ")}] (${size} values) but ` +
              `${v.values?.length ?? 0} values. Pass { shape, values } with as many values as the shape holds.`,
          );
        }
        out[path] = { shape: [...v.shape], values: Float32Array.from(v.values) };
      }
    }
    return out;
  };
  return { params: convert(params), stats: convert(stats) };
}

/**
 * Writes a {@link ParamState} into the live variables of a {@link ParamSet} (parameters,
 * and the statistics when `stats` is true and the state has them). The state is first
 * checked against the set ({@link validateStates}), so a mismatch changes nothing.
 *
 * @example
 * ```ts
 * import { applyState, captureState } from "@sam/landscape";
 *
 * const best = captureState(params);
 * // ... train further ...
 * applyState(params, best); // back to the best weights
 * ```
 */
export function applyState(params: ParamSet, state: ParamState, options: { stats?: boolean } = {}): void {
  checkAgainst(params, state, "state");
  for (const p of params.params) {
    const v = state.params[p.path]!;
    tf.tidy(() => p.variable.assign(tf.tensor(v.values, [...v.shape], "float32")));
  }
  if (options.stats ?? true) {
    for (const s of params.stateVariables) {
      const v = state.stats[s.path];
      if (v) tf.tidy(() => s.variable.assign(tf.tensor(v.values, [...v.shape], "float32")));
    }
  }
}

/** Throws a {@link SamConfigError} listing every difference between a state and a set. */
function checkAgainst(params: ParamSet, state: ParamState, name: string): void {
  const problems = stateProblems(params, state, name);
  if (problems.length > 0) {
    throw new SamConfigError(
      `The ${name} does not match the parameters: ${problems.join("; ")}. ` +
        "Capture states with captureState(params) from the same model (same layer names and sizes).",
    );
  }
}

/** Every difference between a state and a set, as short sentences (empty when they match). */
export function stateProblems(params: ParamSet, state: ParamState, name: string): string[] {
  const problems: string[] = [];
  if (!state || typeof state.params !== "object") return [`${name} is not a ParamState (no 'params' record)`];
  for (const p of params.params) {
    const v = state.params[p.path];
    if (!v) problems.push(`${name} lacks parameter ${JSON.stringify(p.path)}`);
    else if (!sameShape(v.shape, p.shape)) {
      problems.push(
        `${name} has ${JSON.stringify(p.path)} of shape [${v.shape.join(", ")}], the model [${p.shape.join(", ")}]`,
      );
    }
  }
  for (const path of Object.keys(state.params)) {
    if (!params.has(path))
      problems.push(`${name} has ${JSON.stringify(path)}, which is no parameter of the model`);
  }
  for (const s of params.stateVariables) {
    const v = state.stats?.[s.path];
    if (v && !sameShape(v.shape, s.variable.shape)) {
      problems.push(
        `${name} has statistic ${JSON.stringify(s.path)} of shape [${v.shape.join(", ")}], the model [${s.variable.shape.join(", ")}]`,
      );
    }
  }
  return problems;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Converts a {@link ParamState} to plain JSON (`JSON.stringify` of it can be read back by
 * {@link stateFromJSON} or by a notebook).
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { captureState, stateToJSON } from "@sam/landscape";
 *
 * writeFileSync("init.json", JSON.stringify(stateToJSON(captureState(params))));
 * ```
 */
export function stateToJSON(state: ParamState): ParamStateJSON {
  const conv = (r: Readonly<Record<string, TensorValue>>) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, { shape: [...v.shape], values: Array.from(v.values) }]),
    );
  return { params: conv(state.params), stats: conv(state.stats ?? {}) };
}

/**
 * Reads a {@link ParamState} back from {@link stateToJSON}'s output.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { stateFromJSON } from "@sam/landscape";
 *
 * const init = stateFromJSON(JSON.parse(readFileSync("init.json", "utf8")));
 * ```
 */
export function stateFromJSON(json: ParamStateJSON): ParamState {
  if (!json || typeof json.params !== "object") {
    throw new SamConfigError(
      `stateFromJSON got ${typeof json}: it needs the object stateToJSON() returns ({ params, stats }).`,
    );
  }
  return stateFromValues(
    Object.fromEntries(
      Object.entries(json.params).map(([k, v]) => [
        k,
        { shape: v.shape, values: Float32Array.from(v.values) },
      ]),
    ),
    Object.fromEntries(
      Object.entries(json.stats ?? {}).map(([k, v]) => [
        k,
        { shape: v.shape, values: Float32Array.from(v.values) },
      ]),
    ),
  );
}

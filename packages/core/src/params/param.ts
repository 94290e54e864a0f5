import type * as tf from "@tensorflow/tfjs-core";
import { SamConfigError } from "../internal/errors";
import type { LayerLike } from "./collectParams";

/**
 * A parameter's role, used by selectors. The built-in vocabulary:
 *
 * | tag | meaning |
 * | --- | --- |
 * | `weight` | a kernel or weight matrix (rank >= 2, or declared so) |
 * | `bias` | an additive bias |
 * | `norm` | any parameter of a normalization layer (BatchNorm, LayerNorm) |
 * | `norm-scale` / `norm-shift` | a normalization layer's gamma / beta |
 * | `embedding` | an embedding table, a position embedding or a class token |
 * | `depthwise` / `pointwise` | the two kernels of depthwise and separable convolutions |
 * | `recurrent` | a recurrent kernel |
 * | `vector` | fallback for a rank <= 1 parameter no rule recognised |
 *
 * Any other string is allowed once a tag rule or a model declares it.
 */
export type ParamTag =
  | "weight"
  | "bias"
  | "norm"
  | "norm-scale"
  | "norm-shift"
  | "embedding"
  | "recurrent"
  | "depthwise"
  | "pointwise"
  | "vector"
  | (string & {});

/**
 * The built-in tags (see {@link ParamTag}).
 *
 * @example
 * ```ts
 * BUILTIN_TAGS.includes("norm-scale"); // true
 * ```
 */
export const BUILTIN_TAGS: readonly string[] = [
  "weight",
  "bias",
  "norm",
  "norm-scale",
  "norm-shift",
  "embedding",
  "recurrent",
  "depthwise",
  "pointwise",
  "vector",
];

/** Where a parameter lives in a layers model. Absent for plain variables. */
export interface LayerInfo {
  /** The layer's name, e.g. `stage2_block1_bn1`. */
  readonly name: string;
  /** The layer's class, as `layer.getClassName()` reports it, e.g. `BatchNormalization`. */
  readonly className: string;
  /** Position among the layers that own trainable weights, in model order (0-based). */
  readonly index: number;
  /** Index of the model block the layer belongs to, when the model or the caller declares blocks. */
  readonly block?: number;
  /** Name of that block, e.g. `stage2_block1`. */
  readonly blockName?: string;
}

/**
 * One trainable variable and everything a selector may ask about it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fromVariables } from "@sam/core";
 *
 * const params = fromVariables({ w: tf.variable(tf.ones([3, 2])) });
 * const w = params.get("w");
 * console.log(w.path, w.shape, [...w.tags]); // "w" [3, 2] ["weight"]
 * ```
 */
export interface Param {
  /** Stable, human path, e.g. `block2_bn1/gamma`: what selectors and checkpoints use. */
  readonly path: string;
  /** The live variable. Its `name` is the engine's key for gradients. */
  readonly variable: tf.Variable;
  /** The parameter's roles (see {@link ParamTag}). */
  readonly tags: ReadonlySet<ParamTag>;
  /** The layer that owns it, for parameters collected from a model. */
  readonly layer?: LayerInfo;
  /** Position in its {@link ParamSet} (deterministic, model order). */
  readonly index: number;
  /** The variable's shape. */
  readonly shape: readonly number[];
  /** Number of scalars: the product of `shape`. */
  readonly size: number;
}

/** A non-trainable variable a model updates as it runs, e.g. BatchNorm moving statistics. */
export interface StateVariable {
  /** Stable path, e.g. `block2_bn1/moving_mean`. */
  readonly path: string;
  /** The live variable. */
  readonly variable: tf.Variable;
  /** The layer that owns it. */
  readonly layer?: LayerInfo;
}

/**
 * An ordered, validated list of parameters (no variable twice, no path twice), with the
 * model's state variables recorded beside it. Build one with {@link collectParams} or
 * {@link fromVariables}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { collectParams } from "@sam/core";
 *
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], name: "head" })] });
 * const params = collectParams(model);
 * console.log(params.paths()); // ["head/kernel", "head/bias"]
 * ```
 */
export class ParamSet implements Iterable<Param> {
  /** The parameters, in model order. */
  readonly params: readonly Param[];
  /** Variables the model updates itself (BatchNorm moving statistics), in model order. */
  readonly stateVariables: readonly StateVariable[];
  /**
   * The model's leaf layers that own these parameters or state variables, in model order
   * (filled by {@link collectParams}; empty for plain variables). Code that must act on a
   * layer rather than on its weights reads them, e.g. SAM-ON's pruned first pass
   * ({@link withSplitConvolutionGradients}).
   */
  readonly layers: readonly LayerLike[];
  private readonly byPath = new Map<string, Param>();
  private readonly byVariableName = new Map<string, Param>();

  constructor(
    params: readonly Param[],
    stateVariables: readonly StateVariable[] = [],
    layers: readonly LayerLike[] = [],
  ) {
    const problems: string[] = [];
    params.forEach((p, i) => {
      if (p.index !== i) problems.push(`"${p.path}" has index ${p.index} but stands at position ${i}`);
      const samePath = this.byPath.get(p.path);
      if (samePath)
        problems.push(`path "${p.path}" is used by two parameters (#${samePath.index} and #${i})`);
      const sameVar = this.byVariableName.get(p.variable.name);
      if (sameVar) {
        problems.push(`variable "${p.variable.name}" is listed twice (as "${sameVar.path}" and "${p.path}")`);
      }
      this.byPath.set(p.path, p);
      this.byVariableName.set(p.variable.name, p);
    });
    if (problems.length > 0) {
      throw new SamConfigError(
        `A ParamSet must list each variable once under a unique path, but ${problems.join("; ")}. ` +
          "Pass each variable once (and give distinct names to distinct variables).",
      );
    }
    this.params = Object.freeze([...params]);
    this.stateVariables = Object.freeze([...stateVariables]);
    this.layers = Object.freeze([...layers]);
  }

  /** Number of parameters. */
  get length(): number {
    return this.params.length;
  }

  /** Total number of scalars over all parameters. */
  get size(): number {
    return this.params.reduce((n, p) => n + p.size, 0);
  }

  [Symbol.iterator](): Iterator<Param> {
    return this.params[Symbol.iterator]();
  }

  /** The parameter at `path`; throws listing the closest paths when there is none. */
  get(path: string): Param {
    const p = this.byPath.get(path);
    if (p) return p;
    const close = closestPaths(path, [...this.byPath.keys()]);
    throw new SamConfigError(
      `No parameter has the path ${JSON.stringify(path)}. ` +
        (close.length ? `Did you mean ${close.map((c) => JSON.stringify(c)).join(" or ")}? ` : "") +
        "Call params.paths() to list them all.",
    );
  }

  /** The parameter whose variable has this engine name, if any. */
  byVariable(variableName: string): Param | undefined {
    return this.byVariableName.get(variableName);
  }

  /** Whether a parameter has this path. */
  has(path: string): boolean {
    return this.byPath.has(path);
  }

  /** All paths, in order. */
  paths(): string[] {
    return this.params.map((p) => p.path);
  }

  /** All variables, in order: what `tf.variableGrads` takes. */
  variables(): tf.Variable[] {
    return this.params.map((p) => p.variable);
  }

  /** Every tag some parameter carries. */
  tags(): Set<string> {
    const all = new Set<string>();
    for (const p of this.params) for (const t of p.tags) all.add(t);
    return all;
  }
}

/** Up to three paths that share the longest prefix with `path` (for "did you mean"). */
function closestPaths(path: string, candidates: string[]): string[] {
  const score = (c: string) => {
    let i = 0;
    while (i < c.length && i < path.length && c[i] === path[i]) i++;
    return i;
  };
  return candidates
    .map((c) => [c, score(c)] as const)
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([c]) => c);
}

/** Product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

import { SamConfigError, show } from "../internal/errors";
import type { Param, ParamTag } from "./param";

/**
 * A parameter selector as plain data, so a group configuration can be saved and read back.
 *
 * | spec | selects |
 * | --- | --- |
 * | `{ tag: 'norm' }` | parameters carrying the tag |
 * | `{ layerClass: 'Dense' }` | parameters of layers of that class |
 * | `{ path: 'stage3_*∕*' }` | paths matching a glob: `*` within a segment, `**` across segments, `?` one character |
 * | `{ pathRegex: '^head/' }` | paths matching a regular expression |
 * | `{ rank: 1 }` or `{ rank: [2, 4] }` | parameters of that rank (inclusive range) |
 * | `{ block: 2 }` or `{ block: [0, 3] }` | parameters of layers in that block (inclusive range) |
 * | `{ layerIndex: 0 }` or `{ layerIndex: [0, 1] }` | parameters of the n-th weight-owning layer |
 * | `{ all: true }` | everything |
 * | `{ and: [...] }`, `{ or: [...] }`, `{ not: ... }` | combinations |
 */
export type SelectorSpec =
  | { readonly tag: ParamTag }
  | { readonly layerClass: string }
  | { readonly path: string }
  | { readonly pathRegex: string }
  | { readonly rank: number | readonly [number, number] }
  | { readonly block: number | readonly [number, number] }
  | { readonly layerIndex: number | readonly [number, number] }
  | { readonly all: true }
  | { readonly and: readonly SelectorSpec[] }
  | { readonly or: readonly SelectorSpec[] }
  | { readonly not: SelectorSpec };

/** A selector: data (serializable), or a predicate (allowed, but a config holding it cannot be saved). */
export type Selector = SelectorSpec | ((param: Param) => boolean);

/** Selects parameters carrying `tag`. @example `hasTag('norm')` */
export const hasTag = (tag: ParamTag): SelectorSpec => ({ tag });
/** Selects parameters of layers of class `className`. @example `layerClass('Dense')` */
export const layerClass = (className: string): SelectorSpec => ({ layerClass: className });
/** Selects paths matching a glob (`*` in a segment, `**` across, `?` one character). @example `pathGlob('head/*')` */
export const pathGlob = (glob: string): SelectorSpec => ({ path: glob });
/** Selects paths matching a regular expression. @example `pathMatches('^stage[12]_')` */
export const pathMatches = (regex: string): SelectorSpec => ({ pathRegex: regex });
/** Selects parameters by rank (number or inclusive range). @example `rank([0, 1])` */
export const rank = (r: number | readonly [number, number]): SelectorSpec => ({ rank: r });
/** Selects parameters by model block (number or inclusive range). @example `block([0, 2])` */
export const block = (b: number | readonly [number, number]): SelectorSpec => ({ block: b });
/** Selects the parameters of the n-th weight-owning layer (number or inclusive range). @example `layerIndex(0)` */
export const layerIndex = (i: number | readonly [number, number]): SelectorSpec => ({ layerIndex: i });
/** Selects every parameter. @example `everything` */
export const everything: SelectorSpec = Object.freeze({ all: true as const });
/** Selects parameters every selector selects. @example `and(hasTag('weight'), layerClass('Conv2D'))` */
export const and = (...specs: SelectorSpec[]): SelectorSpec => ({ and: specs });
/** Selects parameters some selector selects. @example `or(hasTag('norm'), hasTag('bias'))` */
export const or = (...specs: SelectorSpec[]): SelectorSpec => ({ or: specs });
/** Selects parameters the selector does not select. @example `not(hasTag('norm'))` */
export const not = (spec: SelectorSpec): SelectorSpec => ({ not: spec });

/** What a compiled selector is checked against, besides the parameter itself. */
export interface SelectorContext {
  /** Tags the selector may name: the built-in ones plus every tag present. */
  readonly knownTags: ReadonlySet<string>;
}

/**
 * Turns a {@link Selector} into a predicate, validating it on the way: unknown keys, a bad
 * regular expression, an inverted range or (with a context) a tag nobody declared are
 * errors that say what to write instead.
 *
 * @example
 * ```ts
 * import { compileSelector, or, hasTag } from "@sam/core";
 *
 * const isNormOrBias = compileSelector(or(hasTag("norm"), hasTag("bias")));
 * // isNormOrBias(param) === true for BatchNorm gamma/beta and every bias
 * ```
 */
export function compileSelector(selector: Selector, context?: SelectorContext): (p: Param) => boolean {
  if (typeof selector === "function") return selector;
  return compileSpec(selector, context);
}

function compileSpec(spec: SelectorSpec, ctx: SelectorContext | undefined): (p: Param) => boolean {
  if (spec === null || typeof spec !== "object") {
    throw new SamConfigError(
      `A selector is ${show(spec)}, but it must be an object such as { tag: 'norm' } or a function (param) => boolean.`,
    );
  }
  const keys = Object.keys(spec);
  if (keys.length !== 1) {
    throw new SamConfigError(
      `The selector ${show(spec)} has ${keys.length} keys, but a selector has exactly one ` +
        "(tag, layerClass, path, pathRegex, rank, block, layerIndex, all, and, or, not). Combine several with and(...).",
    );
  }
  const s = spec as Record<string, unknown>;
  if ("tag" in s) {
    const tag = String(s.tag);
    if (ctx && !ctx.knownTags.has(tag)) {
      throw new SamConfigError(
        `The selector { tag: ${JSON.stringify(tag)} } names an unknown tag. Known tags: ${[...ctx.knownTags].sort().join(", ")}. ` +
          "Check the spelling, or declare the tag with a tag rule (collectParams options.tagRules).",
      );
    }
    return (p) => p.tags.has(tag);
  }
  if ("layerClass" in s) return (p) => p.layer?.className === s.layerClass;
  if ("path" in s) {
    const re = globToRegExp(String(s.path));
    return (p) => re.test(p.path);
  }
  if ("pathRegex" in s) {
    let re: RegExp;
    try {
      re = new RegExp(String(s.pathRegex));
    } catch (e) {
      throw new SamConfigError(
        `The selector { pathRegex: ${show(s.pathRegex)} } is not a valid regular expression (${(e as Error).message}). Fix the pattern, or use { path: glob }.`,
      );
    }
    return (p) => re.test(p.path);
  }
  if ("rank" in s) {
    const [lo, hi] = range("rank", s.rank);
    return (p) => p.shape.length >= lo && p.shape.length <= hi;
  }
  if ("block" in s) {
    const [lo, hi] = range("block", s.block);
    return (p) => p.layer?.block !== undefined && p.layer.block >= lo && p.layer.block <= hi;
  }
  if ("layerIndex" in s) {
    const [lo, hi] = range("layerIndex", s.layerIndex);
    return (p) => p.layer !== undefined && p.layer.index >= lo && p.layer.index <= hi;
  }
  if ("all" in s) {
    if (s.all !== true) {
      throw new SamConfigError(
        `The selector { all: ${show(s.all)} } must be { all: true }. To select nothing, leave the group out.`,
      );
    }
    return () => true;
  }
  if ("and" in s || "or" in s) {
    const list = (s.and ?? s.or) as unknown;
    if (!Array.isArray(list) || list.length === 0) {
      throw new SamConfigError(
        `The selector ${show(spec)} needs a non-empty list of selectors. Write and(a, b) or or(a, b).`,
      );
    }
    const parts = list.map((x) => compileSpec(x as SelectorSpec, ctx));
    return "and" in s ? (p) => parts.every((f) => f(p)) : (p) => parts.some((f) => f(p));
  }
  if ("not" in s) {
    const inner = compileSpec(s.not as SelectorSpec, ctx);
    return (p) => !inner(p);
  }
  throw new SamConfigError(
    `The selector ${show(spec)} has the unknown key ${JSON.stringify(keys[0])}. ` +
      "Use one of tag, layerClass, path, pathRegex, rank, block, layerIndex, all, and, or, not.",
  );
}

function range(name: string, value: unknown): [number, number] {
  const [lo, hi] =
    typeof value === "number" ? [value, value] : Array.isArray(value) ? value : [Number.NaN, Number.NaN];
  if (!Number.isFinite(lo) || !(hi >= lo)) {
    throw new SamConfigError(
      `The selector { ${name}: ${show(value)} } needs a number or an inclusive range [min, max] with min <= max.`,
    );
  }
  return [lo, hi];
}

/**
 * Converts a path glob to an anchored regular expression (`*` within a segment, `**` across, `?` one character).
 *
 * @example
 * ```ts
 * globToRegExp("stage*_block1/*").test("stage2_block1/kernel"); // true
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Whether a selector is plain data (can be saved in a config). */
export function isSerializableSelector(selector: Selector): selector is SelectorSpec {
  return typeof selector !== "function";
}

import { compileSelector, describeValue, type ParamGroup, rejectValue, type SelectorSpec } from "@sam/core";

/**
 * A weight constraint, as plain data (saved in rule configs). Each applies to the tensors of
 * the rule's group that `select` picks (default `{ rank: [2, 8] }`: kernels and weight
 * matrices; biases and normalization parameters stay free, as in the authors' experiments).
 *
 * | kind | manifold (tfjs layout: a kernel reshaped to `[fanIn, units]`, `fanIn` = product of all but the last axis) |
 * | --- | --- |
 * | `orthogonal` | `M^T M = I` when `fanIn >= units` (orthonormal columns), else `M M^T = I` (orthonormal rows) |
 * | `sphere` | every unit's incoming weights (a column of `M`) has norm `radius` |
 * | `circle` | every weight has `|w| <= radius`, through a slack coordinate `s` with `w^2 + s^2 = radius^2` |
 * | `ball` | every unit's incoming weights (a column `w_j` of `M`) has norm `<= radius`, through one slack coordinate `s_j` per unit with `|w_j|^2 + s_j^2 = radius^2` (the sphere inequality) |
 *
 * The spec writes PyTorch's `[out, in]` layout; these manifolds are the same sets, because
 * orthogonality is invariant under transposition and under reordering the fan-in axis.
 */
export type ConstraintSpec =
  | {
      readonly kind: "orthogonal";
      readonly select?: SelectorSpec;
      readonly iterations?: number;
      readonly stacked?: boolean;
    }
  | { readonly kind: "sphere"; readonly radius: number; readonly select?: SelectorSpec }
  | { readonly kind: "circle"; readonly radius: number; readonly select?: SelectorSpec }
  | { readonly kind: "ball"; readonly radius: number; readonly select?: SelectorSpec };

/** Options shared by the constraint constructors. */
export interface ConstraintOptions {
  /** Which tensors of the group it applies to. Default `{ rank: [2, 8] }` (weight matrices and kernels). */
  readonly select?: SelectorSpec;
}

/**
 * Orthogonality constraint (o-CoLA): each selected kernel, as a `[fanIn, units]` matrix,
 * stays on the Stiefel manifold. The position solve is the authors' chord iteration
 * `M <- M - 1/2 M_old (M^T M - I)` (tall case) run `iterations` times (default 10, no
 * data-dependent stopping so that a step never reads back from the device); keep
 * `||h p||_F` below about 0.3 for it to converge.
 *
 * With `stacked: true` a tensor of shape `[b, ...]` is a stack of b independent matrices: each
 * slice `[i, ...]` (viewed as `[fanIn, units]` like a kernel) stays on its own Stiefel manifold,
 * and one batched step moves them all (many small orthogonal matrices at the cost of one tensor).
 *
 * @example
 * ```ts
 * import { langevin, orthogonal } from "@sam/langevin";
 *
 * const rule = langevin({ h: 0.1, friction: 1, temperature: 0 }, { constraints: [orthogonal()] });
 * // ten independent 4 x 2 frames in one [10, 4, 2] variable
 * const frames = langevin({ h: 0.2 }, { constraints: [orthogonal({ stacked: true })] });
 * ```
 */
export function orthogonal(
  options: ConstraintOptions & { readonly iterations?: number; readonly stacked?: boolean } = {},
): ConstraintSpec {
  const iterations = options.iterations ?? 10;
  if (!Number.isInteger(iterations) || iterations < 1) {
    rejectValue("orthogonal() iterations", iterations, "it must be an integer >= 1", "Use e.g. 10.");
  }
  return {
    kind: "orthogonal",
    iterations,
    ...(options.select ? { select: options.select } : {}),
    ...(options.stacked ? { stacked: true } : {}),
  };
}

/**
 * Sphere (row-norm, explicit weight normalization) constraint: the incoming weights of every
 * unit have Euclidean norm `radius`.
 *
 * @example
 * ```ts
 * import { langevin, sphere } from "@sam/langevin";
 *
 * const rule = langevin({ h: 0.1, friction: 1 }, { constraints: [sphere(1)] });
 * ```
 */
export function sphere(radius: number, options: ConstraintOptions = {}): ConstraintSpec {
  checkRadius("sphere", radius);
  return { kind: "sphere", radius, ...(options.select ? { select: options.select } : {}) };
}

/**
 * Circle constraint (c-CoLA, bounded weight magnitude): every weight stays in
 * `[-radius, radius]`, moving on the circle `w^2 + s^2 = radius^2` with a slack coordinate
 * `s` (and, for the underdamped rules, its momentum) kept as optimizer state.
 *
 * @example
 * ```ts
 * import { langevin, circle } from "@sam/langevin";
 *
 * const rule = langevin({ h: 0.3, friction: 1, temperature: 0 }, { constraints: [circle(0.05)] });
 * ```
 */
export function circle(radius: number, options: ConstraintOptions = {}): ConstraintSpec {
  checkRadius("circle", radius);
  return { kind: "circle", radius, ...(options.select ? { select: options.select } : {}) };
}

/**
 * Ball constraint (the sphere *inequality*, spec 2.5): the incoming weights `w_j` of every
 * unit (a column of the `[fanIn, units]` matrix) keep norm `<= radius`. As for the circle,
 * each unit gets one slack coordinate `s_j` (optimizer state, with its own momentum in the
 * underdamped rules) and the augmented column `(w_j, s_j)` moves on the sphere
 * `|w_j|^2 + s_j^2 = radius^2` of dimension `fanIn`: the sphere constraint one dimension up.
 * The invariant measure is `exp(-L/tau)` times the surface measure of that sphere, so at
 * `L = 0` the marginal of `w_j` has density proportional to `(radius^2 - |w_j|^2)^(-1/2)`
 * on the ball (the arcsine law when `fanIn = 1`, where `ball` is `circle`).
 *
 * @example
 * ```ts
 * import { langevin, ball } from "@sam/langevin";
 *
 * const rule = langevin({ h: 0.1, friction: 1, temperature: 0 }, { constraints: [ball(1)] });
 * ```
 */
export function ball(radius: number, options: ConstraintOptions = {}): ConstraintSpec {
  checkRadius("ball", radius);
  return { kind: "ball", radius, ...(options.select ? { select: options.select } : {}) };
}

function checkRadius(kind: string, radius: number) {
  if (!(Number.isFinite(radius) && radius > 0)) {
    rejectValue(`${kind}(radius)`, radius, "the radius must be a finite number > 0", `Pass e.g. ${kind}(1).`);
  }
}

/** A constraint resolved for one tensor. */
export interface ResolvedConstraint {
  readonly kind: ConstraintSpec["kind"];
  /** `radius` for sphere, circle and ball, 1 for orthogonal. */
  readonly radius: number;
  /** Chord iterations (orthogonal). */
  readonly iterations: number;
  /** The tensor as a matrix: `[fanIn, units]` (of one slice, for a stacked orthogonal constraint). */
  readonly matrix: readonly [number, number];
  /** Number of independent matrices (a stacked orthogonal constraint: the leading dimension). Default 1. */
  readonly stack?: number;
}

const DEFAULT_SELECT: SelectorSpec = { rank: [2, 8] };

/** The `[fanIn, units]` matrix view of a shape (a vector is one column). */
export function matrixShape(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, 1];
  const units = shape[shape.length - 1]!;
  return [shape.slice(0, -1).reduce((a, b) => a * b, 1), units];
}

/**
 * Resolves a rule's constraints against a group: one entry per parameter (or `null`).
 * Errors: a constraint matching no tensor of the group, a tensor matched by two constraints,
 * an orthogonality constraint on a vector or an empty shape, an unknown kind.
 */
export function resolveConstraints(
  rule: string,
  group: ParamGroup,
  specs: readonly ConstraintSpec[],
): (ResolvedConstraint | null)[] {
  const out: (ResolvedConstraint | null)[] = group.params.map(() => null);
  specs.forEach((spec, k) => {
    if (!spec || !["orthogonal", "sphere", "circle", "ball"].includes(spec.kind)) {
      rejectValue(
        `${rule}: constraints[${k}]`,
        spec,
        "it is not a constraint",
        "Build constraints with orthogonal(), sphere(radius), circle(radius) or ball(radius).",
      );
    }
    const predicate = compileSelector(spec.select ?? DEFAULT_SELECT);
    const matched = group.params.map((p, i) => (predicate(p) ? i : -1)).filter((i) => i >= 0);
    if (matched.length === 0) {
      rejectValue(
        `${rule}: the ${spec.kind} constraint on group ${JSON.stringify(group.label)} (select ${describeValue(spec.select ?? DEFAULT_SELECT)})`,
        group.params.map((p) => `${p.path} ${JSON.stringify(p.shape)}`),
        "it matches no tensor of the group",
        "Give it a selector that picks tensors of this group, or put the constraint on the rule of the group that holds them.",
      );
    }
    for (const i of matched) {
      const p = group.params[i]!;
      if (out[i]) {
        rejectValue(
          `${rule}: parameter ${JSON.stringify(p.path)}`,
          [out[i]!.kind, spec.kind],
          "it is selected by two constraints",
          "Make the constraints' selectors disjoint.",
        );
      }
      if (p.shape.some((d) => d === 0)) {
        rejectValue(
          `${rule}: the shape of parameter ${JSON.stringify(p.path)} under a ${spec.kind} constraint`,
          p.shape,
          "it is empty",
          "Leave it unconstrained.",
        );
      }
      if (spec.kind === "orthogonal" && p.shape.length < 2) {
        rejectValue(
          `${rule}: the shape of parameter ${JSON.stringify(p.path)} under an orthogonal constraint`,
          p.shape,
          "a tensor of rank < 2 cannot be orthogonal",
          "Select only kernels (rank >= 2), or use sphere(1) to keep a vector at unit norm.",
        );
      }
      const stacked = spec.kind === "orthogonal" && spec.stacked === true;
      if (stacked && p.shape.length < 3) {
        rejectValue(
          `${rule}: the shape of parameter ${JSON.stringify(p.path)} under orthogonal({ stacked: true })`,
          p.shape,
          "a stack of matrices has rank >= 3 (the leading dimension counts the matrices)",
          "Use orthogonal() for a single matrix.",
        );
      }
      out[i] = {
        kind: spec.kind,
        radius: spec.kind === "orthogonal" ? 1 : spec.radius,
        iterations: spec.kind === "orthogonal" ? (spec.iterations ?? 10) : 0,
        matrix: matrixShape(stacked ? p.shape.slice(1) : p.shape),
        ...(stacked ? { stack: p.shape[0]! } : {}),
      };
    }
  });
  return out;
}

/**
 * The dimension of the tangent space of a tensor of `size` entries under constraint `c`: the
 * number of momentum degrees of freedom, so that `<p^T p> = tau * tangentDimension` at
 * equilibrium (the momentum is Gaussian with covariance `tau Pi`, `Pi` the tangent
 * projection, and `trace Pi` is the tangent dimension). With `M` the `[n, m]` matrix view:
 *
 * | constraint | coordinates | constraints | tangent dimension |
 * | --- | --- | --- | --- |
 * | none | `size` | 0 | `size` |
 * | orthogonal | `n m` | `k (k + 1) / 2`, `k = min(n, m)` (a symmetric `k x k` Gram matrix) | `size - k (k + 1) / 2` |
 * | sphere | `n m` | `m` (one norm per unit) | `size - m` |
 * | circle | `2 size` (w and its slack s) | `size` | `size` |
 * | ball | `n m + m` (w and one slack per unit) | `m` | `size` |
 *
 * @example
 * ```ts
 * tangentDimension(8, { kind: "orthogonal", radius: 1, iterations: 10, matrix: [4, 2] }); // 5
 * ```
 */
export function tangentDimension(size: number, c: ResolvedConstraint | null | undefined): number {
  if (!c || c.kind === "circle" || c.kind === "ball") return size;
  if (c.kind === "sphere") return size - c.matrix[1];
  const k = Math.min(c.matrix[0], c.matrix[1]);
  return size - ((c.stack ?? 1) * (k * (k + 1))) / 2;
}

import * as tf from "@tensorflow/tfjs-core";

/**
 * Name of the kernel that does one BAOAB or OBA parameter update in one call, where the backend
 * registers it (`@sam/backend` does on wasm: one compiled pass per tensor). Inputs `w`, `p`, `g`,
 * `r`; attributes `order` and `kick`, `c`, `half` (BAOAB) or `h`, `c` (OBA); outputs `[w', p']`,
 * the numbers of {@link underdampedUpdate}'s tfjs composition bit for bit.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { UNDERDAMPED_LANGEVIN_UPDATE } from "@sam/langevin";
 *
 * const fused = tf.getKernel(UNDERDAMPED_LANGEVIN_UPDATE, tf.getBackend()) !== undefined;
 * ```
 */
export const UNDERDAMPED_LANGEVIN_UPDATE = "SamUnderdampedLangevinUpdate";

/**
 * Name of the kernel for Adaptive Langevin's B, C and first D sub-steps on one tensor (see
 * {@link adaptiveLangevinUpdate}: `pm = (p - kick g) decay + r`); `@sam/backend` registers it on wasm.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ADAPTIVE_LANGEVIN_FIRST_HALF } from "@sam/langevin";
 *
 * const fused = tf.getKernel(ADAPTIVE_LANGEVIN_FIRST_HALF, tf.getBackend()) !== undefined;
 * ```
 */
export const ADAPTIVE_LANGEVIN_FIRST_HALF = "SamAdaptiveLangevinFirstHalf";

/**
 * Name of the kernel for Adaptive Langevin's second D and C sub-steps and both A halves on one
 * tensor (see {@link adaptiveLangevinUpdate}: `w' = w + (h/2)(p - kick g + (pm + r) decay)`); `@sam/backend`
 * registers it on wasm.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ADAPTIVE_LANGEVIN_SECOND_HALF } from "@sam/langevin";
 *
 * const fused = tf.getKernel(ADAPTIVE_LANGEVIN_SECOND_HALF, tf.getBackend()) !== undefined;
 * ```
 */
export const ADAPTIVE_LANGEVIN_SECOND_HALF = "SamAdaptiveLangevinSecondHalf";

const registered = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

/** Coefficients of {@link underdampedUpdate} (see `UnderdampedCoefficients` of BAOAB). */
export interface UnderdampedUpdateCoefficients {
  /** Time step h. */
  readonly h: number;
  /** Kick length of this step (BAOAB: h/2 on its first step, else h). */
  readonly kick: number;
  /** OU damping c = exp(-gamma h); 0 in the overdamped limit. */
  readonly c: number;
}

/**
 * One unconstrained BAOAB or OBA update of a parameter tensor, with w the parameter, p its
 * momentum, g its gradient and r the O-step's noise (already scaled by d; `null` when d = 0):
 *
 * ```
 * BAOAB:  p1 = p - kick g;  p2 = c p1 + r;  w' = w + (h/2)(p1 + p2)
 * OBA:    p2 = (c p + r) - h g;             w' = w + h p2
 * ```
 * Returns `[w', p2]`. One kernel call where the backend registers
 * {@link UNDERDAMPED_LANGEVIN_UPDATE} (and there is noise and c > 0), else 7 tfjs kernels (BAOAB; OBA 6): the
 * same float32 operations in the same order, so the same numbers.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { underdampedUpdate } from "@sam/langevin";
 *
 * const [w, p, g, r] = [tf.ones([3]), tf.zeros([3]), tf.tensor1d([1, 2, 3]), tf.zeros([3])];
 * const [w2, p2] = underdampedUpdate("BAOAB", w, p, g, r, { h: 0.1, kick: 0.1, c: Math.exp(-0.1) });
 * ```
 */
export function underdampedUpdate(
  order: "BAOAB" | "OBA",
  w: tf.Tensor,
  p: tf.Tensor,
  g: tf.Tensor,
  r: tf.Tensor | null,
  k: UnderdampedUpdateCoefficients,
): [tf.Tensor, tf.Tensor] {
  const half = k.h / 2;
  if (r && k.c !== 0 && registered(UNDERDAMPED_LANGEVIN_UPDATE)) {
    const attrs: tf.NamedAttrMap =
      order === "BAOAB" ? { order, kick: k.kick, c: k.c, half } : { order, h: k.h, c: k.c };
    const [wNext, pNext] = tf
      .engine()
      .runKernel(UNDERDAMPED_LANGEVIN_UPDATE, { w, p, g, r }, attrs) as tf.Tensor[];
    return [wNext!, pNext!];
  }
  // O: c p + r (c = 0: r alone; no noise: c p, or zeros when c = 0 too)
  const ou = (q: tf.Tensor) => {
    const damped = k.c === 0 ? null : k.c === 1 ? q : tf.mul(q, k.c);
    if (!r) return damped ?? tf.zerosLike(q);
    return damped ? tf.add(damped, r) : r;
  };
  if (order === "BAOAB") {
    const p1 = tf.sub(p, tf.mul(g, k.kick));
    const p2 = ou(p1);
    return [tf.add(w, tf.mul(tf.add(p1, p2), half)), p2];
  }
  const p2 = tf.sub(ou(p), tf.mul(g, k.h));
  return [tf.add(w, tf.mul(p2, k.h)), p2];
}

/** What {@link adaptiveLangevinUpdate} needs from the thermostat once the first half is done. */
export interface ThermostatHalf {
  /** exp(-(h/2) xi) for the updated thermostat xi (a scalar). */
  readonly decay: tf.Tensor;
  /** The second D-step's noise (already scaled), or null without noise. */
  readonly r: tf.Tensor | null;
}

/**
 * One unconstrained Adaptive Langevin update of a parameter tensor (the "ACDEDCA" sub-steps after
 * the kick B), with w the parameter, p its momentum, g its gradient, `decay` the scalar
 * exp(-(h/2) xi) for the current thermostat xi and r1 the first D-step's noise (already scaled;
 * null without noise):
 *
 * ```
 * p1 = p - kick g;  pm = p1 decay + r1                       (B, C, D)
 * thermostat(pm): xi moves by pm's kinetic energy (E); gives decay' and the second noise r2
 * p2 = (pm + r2) decay';  w' = w + (h/2)(p1 + p2)            (D, C, both A halves)
 * ```
 * Returns `[w', p2]`. With noise, where the backend registers {@link ADAPTIVE_LANGEVIN_FIRST_HALF}
 * and {@link ADAPTIVE_LANGEVIN_SECOND_HALF}, the two halves are one kernel call each; else 9 tfjs
 * kernels: the same float32 operations in the same order, so the same numbers.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { adaptiveLangevinUpdate } from "@sam/langevin";
 *
 * const [w, p, g] = [tf.ones([3]), tf.zeros([3]), tf.tensor1d([1, 2, 3])];
 * const [h, tau, epsilon, xi] = [0.25, 1e-4, 0.05, tf.scalar(0.1)];
 * const [r1, r2] = [tf.randomNormal([3], 0, 0.01), tf.randomNormal([3], 0, 0.01)];
 * const [w2, p2] = adaptiveLangevinUpdate(w, p, g, h, h / 2, tf.exp(tf.mul(xi, -h / 2)), r1, (pm) => {
 *   const xiNext = tf.add(xi, tf.mul(tf.sub(tf.sum(tf.square(pm)), 3 * tau), h * epsilon));
 *   return { decay: tf.exp(tf.mul(xiNext, -h / 2)), r: r2 };
 * });
 * ```
 */
export function adaptiveLangevinUpdate(
  w: tf.Tensor,
  p: tf.Tensor,
  g: tf.Tensor,
  kick: number,
  half: number,
  decay: tf.Tensor,
  r1: tf.Tensor | null,
  thermostat: (pm: tf.Tensor) => ThermostatHalf,
): [tf.Tensor, tf.Tensor] {
  if (r1 && registered(ADAPTIVE_LANGEVIN_FIRST_HALF) && registered(ADAPTIVE_LANGEVIN_SECOND_HALF)) {
    const pm = tf
      .engine()
      .runKernel(ADAPTIVE_LANGEVIN_FIRST_HALF, { p, g, r: r1, decay }, { kick }) as tf.Tensor;
    const next = thermostat(pm);
    if (next.r) {
      const [wNext, pNext] = tf
        .engine()
        .runKernel(
          ADAPTIVE_LANGEVIN_SECOND_HALF,
          { w, p, g, pm, r: next.r, decay: next.decay },
          { kick, half },
        ) as tf.Tensor[];
      return [wNext!, pNext!];
    }
    const p2 = tf.mul(pm, next.decay);
    return [tf.add(w, tf.mul(tf.add(tf.sub(p, tf.mul(g, kick)), p2), half)), p2];
  }
  const p1 = tf.sub(p, tf.mul(g, kick));
  let pm = tf.mul(p1, decay);
  if (r1) pm = tf.add(pm, r1);
  const next = thermostat(pm);
  const p2 = tf.mul(next.r ? tf.add(pm, next.r) : pm, next.decay);
  return [tf.add(w, tf.mul(tf.add(p1, p2), half)), p2];
}

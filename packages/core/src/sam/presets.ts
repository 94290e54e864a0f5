import type { GroupedOptimizerOptions } from "../optimizer/groupedOptimizer";
import { GroupedOptimizer } from "../optimizer/groupedOptimizer";
import type { SelectorSpec } from "../params/selectors";
import type { AdaptiveMode } from "./perturbation";
import { type SamOracleOptions, samOracle } from "./samOracle";

/** Options of the SAM presets: the optimizer's (params, groups, defaults, rule) and the oracle's. */
export type SamPresetOptions = Omit<GroupedOptimizerOptions, "oracle"> & SamOracleOptions;

const NORM: SelectorSpec = { tag: "norm" };
const NOT_NORM: SelectorSpec = { not: { tag: "norm" } };

function split(options: SamPresetOptions, overrides: Partial<SamOracleOptions>): GroupedOptimizer {
  const { params, groups, rule, seed, defaults, onUnmatched, allowEmpty, ...oracle } = options;
  return new GroupedOptimizer({
    params,
    rule,
    ...(groups ? { groups } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(defaults ? { defaults } : {}),
    ...(onUnmatched ? { onUnmatched } : {}),
    ...(allowEmpty ? { allowEmpty } : {}),
    oracle: samOracle({ ...oracle, ...overrides }),
  });
}

/**
 * SAM (Foret et al. 2021): every step moves w along the gradient taken at
 * w + rho * g / ||g||, the (first-order) worst point of the rho-ball around w. The base
 * update is any rule (`sgd`, `adam`, `fromTfOptimizer(...)`) with its groups.
 *
 * @example
 * ```ts
 * import { sam, sgd, collectParams } from "@sam/core";
 *
 * const optimizer = sam({
 *   params: collectParams(model),
 *   rule: sgd({ momentum: 0.9 }),
 *   defaults: { lr: 0.1, weightDecay: 5e-4 },
 *   rho: 0.05,
 * });
 * model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
 * ```
 */
export function sam(options: SamPresetOptions): GroupedOptimizer {
  return split(options, {});
}

/**
 * ASAM (Kwon et al. 2021): SAM in coordinates rescaled by T_w, which makes the sharpness
 * measured invariant to rescalings that leave the function unchanged. `mode` picks the
 * convention (default `'elementwise'`: T = abs(w) + eta on kernels and normalization scales).
 *
 * @example
 * ```ts
 * import { asam, sgd, collectParams } from "@sam/core";
 *
 * const optimizer = asam({ params: collectParams(model), rule: sgd({ momentum: 0.9 }), defaults: { lr: 0.1 }, rho: 0.5, eta: 0.01 });
 * ```
 */
export function asam(options: SamPresetOptions & { mode?: AdaptiveMode; eta?: number }): GroupedOptimizer {
  const { mode, eta, ...rest } = options;
  return split(rest, {
    adaptive: { mode: mode ?? "elementwise", eta: eta ?? 0.01, ...(rest.adaptive || {}) },
  });
}

/**
 * SAM-ON (Mueller, Vlaar, Rolnick, Hein 2023): perturb only the normalization layers'
 * scale and shift (`norm` tag), with the perturbation normalized over them alone. Works
 * with every variant (pass `adaptive`, `norm: 'inf'`, `normalized: false`). The first
 * pass asks for the norm parameters' gradients only (tfjs prunes weight gradients of plain ops;
 * tfjs-layers' fused convolutions still compute them).
 *
 * @example
 * ```ts
 * import { samOn, sgd, collectParams } from "@sam/core";
 *
 * const optimizer = samOn({ params: collectParams(model), rule: sgd({ momentum: 0.9 }), defaults: { lr: 0.1, weightDecay: 5e-4 }, rho: 0.5 });
 * ```
 */
export function samOn(options: SamPresetOptions): GroupedOptimizer {
  return split(options, { perturb: NORM });
}

/**
 * The "no-norm" ablation of SAM-ON: perturb everything but the normalization layers.
 *
 * @example
 * ```ts
 * import { samNoNorm, sgd, collectParams } from "@sam/core";
 *
 * const optimizer = samNoNorm({ params: collectParams(model), rule: sgd({ momentum: 0.9 }), defaults: { lr: 0.1 }, rho: 0.05 });
 * ```
 */
export function samNoNorm(options: SamPresetOptions): GroupedOptimizer {
  return split(options, { perturb: NOT_NORM });
}

/**
 * USAM, unnormalized SAM (studied by Dai, Ahn, Sra 2023): e = rho * g. rho is in other units
 * than SAM's (rho_USAM ~ rho_SAM / ||g||), and USAM loses SAM's stability over rho.
 *
 * @example
 * ```ts
 * import { usam, sgd, collectParams } from "@sam/core";
 *
 * const optimizer = usam({ params: collectParams(model), rule: sgd(), defaults: { lr: 0.05 }, rho: 0.1 });
 * ```
 */
export function usam(options: SamPresetOptions): GroupedOptimizer {
  return split(options, { normalized: false });
}

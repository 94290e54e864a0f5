import {
  compileSelector,
  describeValue,
  type GradientOracle,
  GroupedOptimizer,
  type HyperValue,
  knownTags as knownTagsOf,
  SamConfigError,
  type Selector,
  type SelectorSpec,
  type UpdateRule,
} from "@sam/core";
import { fastGroupPlacement } from "./fastGroupPlacement";
import { headSelector } from "./headSelector";
import { asParams, type ModelOrParams } from "./internal/asParams";
import { checkPeriod } from "./internal/checkPeriod";
import { multirateRule } from "./multirateRule";

/** Options of {@link multirate}. */
export interface MultirateOptions {
  /** Synchronisation period k: fast steps per slow step (integer >= 1). Default 5. */
  readonly k?: number;
  /**
   * The fast step size h/k: use the learning rate of the full fine-tuning it replaces. The
   * slow groups' step size is h = k * lr. A number or a schedule. Default 0.01.
   */
  readonly lr?: HyperValue;
  /** Heavy-ball momentum mu (PyTorch convention, as `tf.train.momentum`). Default 0.9. */
  readonly momentum?: HyperValue;
  /** Coupled L2 weight decay (added to the gradient), both groups. Default 0. */
  readonly weightDecay?: HyperValue;
  /** Linear drift of the slow group (default true, Algorithm 1) or one jump per cycle (false). */
  readonly drift?: boolean;
  /** The fast group. Default: the model's head (see {@link headSelector}). */
  readonly fast?: Selector;
  /** The slow group. Default: every parameter not in the fast group. */
  readonly slow?: Selector;
  /** The fast group's rule. Default `sgd()` (momentum and weight decay come from the options above). */
  readonly fastRule?: UpdateRule;
  /** The slow group's rule (e.g. a Langevin rule). Default `sgd()`. */
  readonly slowRule?: UpdateRule;
  /** How gradients are obtained (e.g. a SAM oracle). Default: the plain gradient. */
  readonly oracle?: GradientOracle;
  /** Seed of the optimizer's random draws. Default 1. */
  readonly seed?: number;
  /** Receives warnings (a fast group early in the network). Default `console.warn`. */
  readonly onWarning?: (message: string) => void;
}

/**
 * A ready multirate optimizer for transfer learning (Vlaar and Leimkuhler 2022): the fast
 * group (default: the head) moves every step with step size `lr` = h/k; the slow group
 * (default: the rest, the pretrained body) takes a fresh gradient once every k steps, with
 * step size h = k lr, and drifts linearly in between. On the k - 1 fast-only steps of a
 * cycle no gradient is requested for the body, so back-propagation stops at the head: with
 * T_fast / T_full = rho, a cycle costs (1 + (k - 1) rho) / k of full fine-tuning.
 *
 * Returns a `GroupedOptimizer` (groups `fast` and `slow`, rule {@link multirateRule}) that
 * works in a custom loop and under `model.compile({ optimizer })` / `model.fit`. With k = 1
 * it is `sgd({ momentum })` bit for bit.
 *
 * Errors name the option, its value and the fix: k not an integer >= 1, a fast or slow group
 * that selects nothing, a parameter both select. A fast group with slow layers after it
 * triggers a warning, since it cannot be faster (see {@link fastGroupPlacement}).
 *
 * @example
 * ```ts
 * import { smallConvNet } from "@sam/models";
 * import { loadBackbone } from "@sam/models/node";
 * import { multirate } from "@sam/multirate";
 *
 * const model = smallConvNet({ numClasses: 5 });
 * await loadBackbone(model, "./ckpt/taskA");
 * const optimizer = multirate(model, { k: 5, lr: 0.01, momentum: 0.9 });
 * model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
 * await model.fit(xs, ys, { epochs: 10, batchSize: 32 });
 * ```
 */
export function multirate(source: ModelOrParams, options: MultirateOptions = {}): GroupedOptimizer {
  const params = asParams(source, "multirate(source)");
  const k = checkPeriod("multirate k", options.k ?? 5);
  const fast = options.fast ?? headSelector(source);
  const slow = options.slow ?? complement(fast);
  const knownTags = knownTagsOf(params.params);
  const isFast = compileSelector(fast, { knownTags });
  const isSlow = compileSelector(slow, { knownTags });
  const fastParams = params.params.filter(isFast);
  const slowParams = params.params.filter(isSlow);
  if (fastParams.length === 0 || slowParams.length === 0) {
    const which = fastParams.length === 0 ? "fast" : "slow";
    throw new SamConfigError(
      `multirate ${which} group is empty: the selector ${describeValue(which === "fast" ? fast : slow)} matches none of the ${params.length} parameters ` +
        `(${params.paths().slice(0, 4).join(", ")}${params.length > 4 ? ", ..." : ""}). ` +
        (which === "fast"
          ? "Select the layer(s) to move fast, e.g. fast: layerIndex(n) or pathGlob('head/*')."
          : "Leave slow out (everything but the fast group) or select the body; with nothing slow, use sgd()."),
    );
  }
  const both = fastParams.filter(isSlow);
  if (both.length > 0) {
    throw new SamConfigError(
      `multirate fast and slow groups overlap: ${both.length} parameter(s) match both selectors (${both
        .slice(0, 4)
        .map((p) => JSON.stringify(p.path))
        .join(", ")}${both.length > 4 ? ", ..." : ""}). ` +
        "A parameter is either fast or slow: narrow one selector, or leave slow out to mean everything else.",
    );
  }
  const optimizer = new GroupedOptimizer({
    params,
    groups: [
      { label: "fast", select: fast },
      { label: "slow", select: slow },
    ],
    defaults: {
      lr: options.lr ?? 0.01,
      momentum: options.momentum ?? 0.9,
      weightDecay: options.weightDecay ?? 0,
    },
    rule: multirateRule({
      k,
      fast: ["fast"],
      slow: ["slow"],
      drift: options.drift ?? true,
      rules: {
        ...(options.fastRule ? { fast: options.fastRule } : {}),
        ...(options.slowRule ? { slow: options.slowRule } : {}),
      },
    }),
    ...(options.oracle ? { oracle: options.oracle } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  const placement = fastGroupPlacement(optimizer.groups, ["fast"]);
  if (placement.speedsUp === false && k > 1) (options.onWarning ?? console.warn)(placement.message!);
  return optimizer;
}

/** Everything the fast selector does not take: saveable when the fast selector is. */
function complement(fast: Selector): Selector {
  if (typeof fast === "function") return (p) => !fast(p);
  return { not: fast as SelectorSpec };
}

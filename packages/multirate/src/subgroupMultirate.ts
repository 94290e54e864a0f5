import {
  allocateSlots,
  describeValue,
  groupSlotName,
  perGroup,
  type RuleConfig,
  type RuleState,
  SamConfigError,
  type SlotState,
  StepCounter,
  type UpdateRule,
} from "@sam/core";
import * as tf from "@tensorflow/tfjs-core";
import { checkPeriod } from "./internal/checkPeriod";

/** Options of {@link subgroupMultirate}. */
export interface SubgroupMultirateOptions {
  /** The synchronisation period k (integer >= 1): the slow subgroup is redrawn or swapped every k steps. Default 5. */
  readonly k?: number;
  /** Fraction f of the weights (scalars) that are slow in a cycle, in [0, 1]. Default 0.5. */
  readonly slowFraction?: number;
  /**
   * `'random'` (default): a fresh random slow subset every cycle. `'alternating'`: one random
   * split drawn at the first cycle, whose two halves swap roles every cycle, so every weight
   * is slow every other cycle.
   */
  readonly partition?: "random" | "alternating";
  /**
   * What the slow weights are during the fast steps of a cycle. `'zero'` (default, the poster's
   * "set theta_S to zero during the fast parameter update", the DropConnect-like regularisation
   * result): the loss sees them at 0; their values are kept in a `stash` slot, move there as
   * with `'freeze'`, and come back at the last step of the cycle. `'freeze'`: they stay in
   * place with their stale momentum (only their update is frozen).
   */
  readonly maskSlow?: "zero" | "freeze";
  /** Linear drift of the slow weights between synchronisation steps (default true); false: they jump by k lr p once per cycle. */
  readonly drift?: boolean;
  /** Default hyperparameters: `lr` (0.01), `momentum` (0.9), `weightDecay` (0, coupled). */
  readonly lr?: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
}

/**
 * The multirate variant that trains the whole network on several time scales at once
 * (spec sections 2.2 and 2.3): within every parameter, a subset of the weights is slow for a
 * cycle of k steps and the rest is fast; the subset is redrawn (`'random'`) or swapped
 * (`'alternating'`) at every synchronisation step. Heavy-ball momentum, per weight. Symbols:
 * w a parameter, p its momentum buffer, g its gradient, M the slow mask of the cycle (1 for
 * a slow weight, drawn with probability f), mu momentum, lambda weight decay, lr the step,
 * W the full weights (slow and fast), which the rule updates:
 *
 * ```
 * g' = g + lambda w
 * t mod k = 0 (synchronisation):  draw M;  p <- mu p + g'                  (every weight refreshes)
 * otherwise:                      p <- M * p + (1 - M) * (mu p + g')        (fast weights only)
 * drift (default):                W <- W - lr p                             (slow weights reuse a stale p)
 * no drift:                       W <- W - lr (1 + (k - 1) M) p  at synchronisation,
 *                                 W <- W - lr (1 - M) p           otherwise
 * maskSlow 'freeze':              w = W
 * maskSlow 'zero' (default):      w = (1 - M) * W  after every step of a cycle but its last
 *                                 (t mod k = k - 1), where w = W again
 * ```
 *
 * So with `'zero'` the loss, hence g on the fast weights, is taken with the slow weights at
 * zero (the poster's "set theta_S to zero during the fast parameter update", Vlaar &
 * Leimkuhler 2022, the DropConnect-like regularisation of their Penn Treebank figure), and the
 * synchronisation step sees the whole network. W's slow entries live in the `stash` slot
 * meanwhile, so they are saved with the optimizer. `'freeze'` keeps the slow weights in place
 * (only their update is stale). Every weight needs its gradient every step, so this variant is
 * not faster than SGD; its purpose is regularisation and learning features on two time scales.
 * The masks come from the optimizer's seed and are saved with its state, so a resumed run
 * continues identically. With k = 1 (or f = 0) both modes are momentum SGD.
 *
 * @remarks With `'zero'`, the model's weights are complete only after a step whose own count
 * is a multiple of k (the cycle's last step): evaluate or save the model for use there, e.g.
 * with a number of steps per epoch that k divides; in between, slow weights read 0.
 * Which scalars form the subset and k for the poster's figure are not published (spec 2.2).
 *
 * @example
 * ```ts
 * import { GroupedOptimizer, collectParams } from "@sam/core";
 * import { subgroupMultirate } from "@sam/multirate";
 *
 * const optimizer = new GroupedOptimizer({
 *   params: collectParams(model),
 *   defaults: { lr: 0.004 },
 *   rule: subgroupMultirate({ k: 25, slowFraction: 0.5, partition: "random" }),
 * });
 * ```
 */
export function subgroupMultirate(options: SubgroupMultirateOptions = {}): UpdateRule {
  const k = checkPeriod("subgroupMultirate k", options.k ?? 5);
  const f = options.slowFraction ?? 0.5;
  if (typeof f !== "number" || !(f >= 0 && f <= 1)) {
    throw new SamConfigError(
      `subgroupMultirate slowFraction is ${describeValue(f)}: it must be a number in [0, 1], the share of weights that are slow in a cycle (default 0.5).`,
    );
  }
  const partition = options.partition ?? "random";
  if (partition !== "random" && partition !== "alternating") {
    throw new SamConfigError(
      `subgroupMultirate partition is ${describeValue(partition)}: use "random" (a fresh subset every cycle) or "alternating" (two halves that swap roles).`,
    );
  }
  const maskSlow = options.maskSlow ?? "zero";
  if (maskSlow !== "zero" && maskSlow !== "freeze") {
    throw new SamConfigError(
      `subgroupMultirate maskSlow is ${describeValue(maskSlow)}: use "zero" (slow weights read 0 during the fast steps, the poster's regularisation) or "freeze" (they stay in place).`,
    );
  }
  const zero = maskSlow === "zero" && k > 1;
  const drift = options.drift ?? true;
  const defaults = {
    lr: options.lr ?? 0.01,
    momentum: options.momentum ?? 0.9,
    weightDecay: options.weightDecay ?? 0,
  };
  return perGroup({
    kind: "multirateSubgroups",
    defaults,
    init: (group) =>
      new SubgroupState(
        allocateSlots(
          group,
          "multirateSubgroups",
          zero ? ["momentum", "subset", "stash"] : ["momentum", "subset"],
        ),
        new StepCounter(groupSlotName(group, "multirateSubgroups", "count")),
      ),
    apply(group, grads, rawState, h, ctx) {
      const { buffers: state, count } = rawState as SubgroupState;
      const lr = h.lr;
      const mu = h.momentum;
      const lambda = h.weightDecay;
      const own = count.value; // this rule's own clock, not the optimizer's step
      count.tick();
      const sync = own % k === 0;
      const last = own % k === k - 1; // the cycle's last step: 'zero' restores the slow weights
      const cycle = Math.floor(own / k);
      group.params.forEach((param, i) => {
        const g = grads[i];
        if (!g) return;
        const w = param.variable;
        const p = state.get("momentum", i);
        const subset = state.get("subset", i);
        // The stored subset B; the slow mask M is B, or 1 - B on odd cycles of 'alternating'.
        if (sync && (partition === "random" || cycle === 0)) {
          const u = tf.randomUniform(param.shape as number[], 0, 1, "float32", ctx.seedFor(param.index, 1));
          subset.assign(tf.cast(tf.less(u, f), "float32"));
        }
        const m = partition === "alternating" && cycle % 2 === 1 ? tf.sub(1, subset) : subset;
        const gd = lambda !== 0 ? tf.add(g, tf.mul(lambda, w)) : g;
        const fresh = tf.add(tf.mul(mu, p), gd);
        const buffer = sync ? fresh : tf.add(tf.mul(m, p), tf.mul(tf.sub(1, m), fresh));
        p.assign(buffer);
        const direction = drift ? buffer : tf.mul(sync ? tf.add(1, tf.mul(k - 1, m)) : tf.sub(1, m), buffer);
        if (!zero) {
          w.assign(tf.sub(w, tf.mul(lr, direction)));
          return;
        }
        // 'zero': W = w on a synchronisation step; on a fast step w holds 0 where M = 1, W = w + M stash.
        const stash = state.get("stash", i);
        const full = sync ? w : tf.add(w, tf.mul(m, stash));
        const next = tf.sub(full, tf.mul(lr, direction));
        if (last) w.assign(next);
        else {
          stash.assign(next);
          w.assign(tf.mul(tf.sub(1, m), next));
        }
      });
      return undefined;
    },
    getConfig: (): RuleConfig => ({
      kind: "multirateSubgroups",
      k,
      slowFraction: f,
      partition,
      maskSlow,
      drift,
      ...defaults,
    }),
  });
}

/** State of {@link subgroupMultirate} for one group: momentum and subset slots, and its own step count. */
class SubgroupState implements RuleState {
  constructor(
    readonly buffers: SlotState,
    readonly count: StepCounter,
  ) {}
  slots() {
    return [...this.buffers.slots(), ...this.count.slots()];
  }
  restored() {
    this.count.restored();
  }
  dispose() {
    this.buffers.dispose();
    this.count.dispose();
  }
}

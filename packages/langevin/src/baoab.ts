import type { ParamGroup, StepContext } from "@sam/core";
import type * as tf from "@tensorflow/tfjs-core";
import type { NoiseSource } from "./noiseSource";
import { Rattle } from "./rattle";
import { type ConstrainedState, draw } from "./internal/ruleSupport";
import { underdampedUpdate } from "./updateKernels";

/** Coefficients of one underdamped step, computed from the group's hyperparameters. */
export interface UnderdampedCoefficients {
  /** Time step h. */
  readonly h: number;
  /** Kick length of this step: h/2 on the rule's own first step in the B-first form (default), else h. */
  readonly kick: number;
  /** OU damping c = exp(-gamma h) (0 for the overdamped limit). */
  readonly c: number;
  /** OU noise d = sqrt(tau (1 - c^2)). */
  readonly d: number;
}

/**
 * BAOAB (Leimkuhler and Matthews 2013): one step of the underdamped family on the parameters of a group, in physical scaling
 * (theta moves by h p). Sub-steps (t a sub-step length, g = grad L(theta_n), R ~ N(0, I)):
 *
 * ```
 * B_t: p <- p - t g                    A_t: theta <- theta + t p
 * O_h: p <- c p + d R                  (+ tangent projections and the RATTLE position solve
 *                                        on constrained tensors, spec 2.5: Rattle)
 * BAOAB (B-first, one gradient per step):  B_kick A_{h/2} O_h A_{h/2}
 * OBA   (authors' o-CoLA-ud ordering):     O_h B_h A_h
 * ```
 * The stored momentum is the one after the last sub-step (post-O for BAOAB).
 */
export function baoab(
  group: ParamGroup,
  grads: readonly (tf.Tensor | null)[],
  state: ConstrainedState,
  k: UnderdampedCoefficients,
  order: "BAOAB" | "OBA",
  noise: NoiseSource,
  ctx: StepContext,
): void {
  const half = k.h / 2;
  group.params.forEach((param, i) => {
    const g = grads[i];
    if (!g) return;
    const w = param.variable;
    const pSlot = state.get("momentum", i);
    const con = state.constraints[i];
    if (!con) {
      // BAOAB: p1 = p - kick g;  p2 = c p1 + d R;  theta += (h/2)(p1 + p2)  (= A_{h/2} O A_{h/2})
      // OBA:   p2 = (c p + d R) - h g;  theta += h p2
      // (one kernel call where the backend registers it: updateKernels.ts)
      const r = k.d === 0 ? null : draw(noise, group, i, "R", k.d, ctx);
      const [wNext, pNext] = underdampedUpdate(order, w, pSlot, g, r, k);
      w.assign(wNext);
      pSlot.assign(pNext);
      return;
    }

    // Constrained (spec 2.5): the same sub-steps with tangent projections and RATTLE.
    const stored = { theta: w, p: pSlot, s: state.maybe("slack", i), ps: state.maybe("slackMomentum", i) };
    const motion = new Rattle(con, stored, (role, stddev, shape) =>
      draw(noise, group, i, role, stddev, ctx, shape),
    );
    const O = () => motion.refresh(k.c, k.d, { main: "R", slack: "Rs" });
    if (order === "BAOAB") {
      motion.kick(g, k.kick);
      motion.drift(half);
      O();
      motion.drift(half);
    } else {
      O();
      motion.kick(g, k.h);
      motion.drift(k.h);
    }
    motion.store(stored);
  });
}

import type * as tf from "@tensorflow/tfjs-core";
import type { ParamGroup } from "../params/groupParams";
import type { Param, ParamSet } from "../params/param";
import type { ResolvedHyper } from "../rules/schedule";
import type { StepContext } from "../rules/updateRule";

/** What an oracle is asked for at one step. */
export interface GradientRequest {
  /** The loss closure (`model.fit` passes its total-loss function). */
  readonly lossFn: () => tf.Scalar;
  /** Every parameter of the optimizer. */
  readonly params: ParamSet;
  /** The groups, with their resolved hyperparameters for this step. */
  readonly groups: readonly { readonly group: ParamGroup; readonly hyper: ResolvedHyper }[];
  /** The parameters whose gradients are needed this step (active groups, within `varList`). */
  readonly active: readonly Param[];
  /** The step's context. */
  readonly ctx: StepContext;
  /**
   * The rule's state variables (`<param path>/<rule kind>.<slot>`), read-only, for oracles
   * that read the base rule's buffers (momentum-SAM reads the momentum). Optional: absent
   * when the caller has no rule state.
   */
  readonly slots?: readonly { readonly name: string; readonly variable: tf.Variable }[];
}

/** An oracle's answer: the loss at the current weights and one gradient per active parameter. */
export interface GradientResult {
  /** L(w), a scalar. */
  readonly loss: tf.Scalar;
  /** `grads[i]` belongs to `request.active[i]`; `null` when the loss does not depend on it. */
  readonly grads: readonly (tf.Tensor | null)[];
  /** Extra scalars the oracle measured (e.g. SAM's perturbed loss), for diagnostics. */
  readonly extras?: Readonly<Record<string, tf.Scalar>>;
}

/** What an oracle keeps for one optimizer it is bound to (buffers); freed by that optimizer. */
export interface OracleState {
  /** Frees the buffers. */
  dispose(): void;
  /**
   * Variables that carry the oracle's state from step to step (LookSAM's reused direction),
   * named `<param path>/<oracle kind>.<slot>`: the optimizer saves them in checkpoints and
   * restores them with a rejected step, like the rule's slots. Optional.
   */
  slots?(): { name: string; variable: tf.Variable }[];
}

/**
 * How the optimizer gets its gradients. The plain oracle differentiates the loss once;
 * sharpness-aware oracles differentiate it at a perturbed point. The contract:
 * - `gradients` runs inside the optimizer's single `tf.tidy`; it never opens one, and
 *   every tensor it returns is released by that tidy unless the optimizer keeps it;
 * - any weight it moves is restored before it returns, also when the loss throws;
 * - it asks for gradients of the `active` parameters only (so frozen or off-cycle groups
 *   cost no back-propagation).
 */
export interface GradientOracle {
  /** Registered name, e.g. `plain` or `sam`. */
  readonly kind: string;
  /** How many times one step evaluates the loss closure (1 for plain, 2 for SAM). */
  readonly lossEvaluations: number;
  /**
   * Prepares one optimizer's buffers, called when that optimizer is bound to its parameters;
   * returns them as a state that the optimizer passes to `gradients` and disposes with
   * itself. So one oracle may serve several optimizers, each with its own state.
   */
  init?(params: ParamSet, groups: readonly ParamGroup[]): OracleState | undefined;
  /** Computes the loss and the gradients for one step (`state`: what `init` returned for this optimizer). */
  gradients(request: GradientRequest, state?: OracleState): GradientResult;
  /** Plain-data description (kind and options). */
  getConfig(): { kind: string; [option: string]: unknown };
  /** Frees what the oracle holds outside its states (none of the built-in oracles holds any). */
  dispose?(): void;
}

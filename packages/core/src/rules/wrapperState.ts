import type { RuleState, StepCounter } from "./updateRule";

/**
 * The state of a rule that wraps another rule (a combinator such as {@link everyK}, or
 * `@sam/multirate`'s `drift`): its own step counter, its own states (slots it allocated), and
 * the inner rule's state, which it reports as its child. The slots are listed in that order
 * (counter, own, inner), which is the order `getWeights` writes them in; `restored` and
 * `dispose` reach all three. A combinator extends it to name the parts it reads.
 *
 * @example
 * ```ts
 * import { allocateSlots, type ParamGroup, sgd, StepCounter, WrapperState } from "@sam/core";
 *
 * declare const group: ParamGroup;
 * // a rule that wraps sgd() and keeps a count and one "trace" slot per parameter
 * const inner = sgd();
 * const state = new WrapperState(new StepCounter(`@${group.label}/traced.count`), inner.init([group]), [
 *   allocateSlots(group, "traced", ["trace"]),
 * ]);
 * state.slots(); // the count, the traces, then sgd's slots
 * state.dispose();
 * ```
 */
export class WrapperState implements RuleState {
  /**
   * @param count The wrapper's own step count.
   * @param inner The wrapped rule's state.
   * @param own The wrapper's other states, e.g. from `allocateSlots` (none by default).
   */
  constructor(
    readonly count: StepCounter,
    readonly inner: RuleState,
    readonly own: readonly RuleState[] = [],
  ) {}
  slots() {
    return [...this.count.slots(), ...this.own.flatMap((s) => s.slots()), ...this.inner.slots()];
  }
  restored() {
    this.count.restored();
    for (const s of this.own) s.restored?.();
    this.inner.restored?.();
  }
  children() {
    return [this.inner];
  }
  dispose() {
    this.count.dispose();
    for (const s of this.own) s.dispose();
    this.inner.dispose();
  }
}

import { layerIndex, or, type Param, SamConfigError, type SelectorSpec } from "@sam/core";
import { asParams, isParamSet, type ModelOrParams } from "./internal/asParams";
import { quoteAll } from "./internal/quoteAll";

/**
 * The default fast group of transfer learning: the model's head, as a saveable selector on
 * layer positions (`{ layerIndex }`). The head is `model.samMeta.head` when the model has it
 * (the `@sam/models` builders set it; the layer names are matched exactly, never as
 * substrings), otherwise the last weight-owning layer. Pass a `ParamSet` and only the second
 * rule applies.
 *
 * @throws When the head layers own no parameters, or the parameters carry no layer
 * information (`fromVariables`): then choose the fast group yourself.
 *
 * @example
 * ```ts
 * import { smallConvNet } from "@sam/models";
 * import { headSelector } from "@sam/multirate";
 *
 * const model = smallConvNet({ numClasses: 5 });
 * headSelector(model); // { layerIndex: 4 }: the dense layer "head"
 * ```
 */
export function headSelector(source: ModelOrParams): SelectorSpec {
  const params = asParams(source, "headSelector(source)");
  const head = isParamSet(source) ? undefined : source.samMeta?.head;
  const withLayer = params.params.filter(
    (p): p is Param & { layer: NonNullable<Param["layer"]> } => !!p.layer,
  );
  if (withLayer.length === 0) {
    throw new SamConfigError(
      "headSelector: the parameters carry no layer information (they come from fromVariables), so the head cannot be found. " +
        "Pass the fast group's selector yourself, e.g. fast: pathGlob('head/*').",
    );
  }
  let indices: number[];
  if (head && head.length > 0) {
    const names = new Set(head);
    indices = [...new Set(withLayer.filter((p) => names.has(p.layer.name)).map((p) => p.layer.index))];
    if (indices.length === 0) {
      throw new SamConfigError(
        `headSelector: model.samMeta.head is [${quoteAll(head)}], but no parameter belongs to a layer of that name. ` +
          "Check samMeta.head, or pass the fast group's selector yourself.",
      );
    }
  } else {
    indices = [Math.max(...withLayer.map((p) => p.layer.index))];
  }
  indices.sort((a, b) => a - b);
  const specs = indices.map((i) => layerIndex(i));
  return specs.length === 1 ? specs[0]! : or(...specs);
}

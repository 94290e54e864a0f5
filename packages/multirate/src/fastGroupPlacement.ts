import type { ParamGroup } from "@sam/core";
import { quoteAll } from "./internal/quoteAll";

/** What {@link fastGroupPlacement} found. */
export interface FastGroupPlacement {
  /**
   * `true` when every fast parameter sits in a layer after every slow one (the fast group is a
   * suffix of the network), so fast steps skip the slow layers' backward pass; `false` when a
   * slow layer comes after a fast one; `null` when the parameters carry no layer positions.
   */
  readonly speedsUp: boolean | null;
  /** The earliest fast layer, when known. */
  readonly earliestFastLayer?: { readonly name: string; readonly index: number };
  /** Names of the slow layers after it, in model order. */
  readonly slowLayersAfter: readonly string[];
  /** Why no speed-up is possible (absent when `speedsUp` is not `false`). */
  readonly message?: string;
}

/**
 * Checks where the fast groups sit in the network. Back-propagation reaches a layer only
 * through every layer after it, so a fast step is cheap only when the fast groups are a
 * suffix of the network (the head): if a slow layer comes after a fast one, every fast step
 * back-propagates through it and multirate training saves almost nothing. `multirate()`
 * calls this and warns.
 *
 * @example
 * ```ts
 * import { fastGroupPlacement } from "@sam/multirate";
 *
 * const report = fastGroupPlacement(optimizer.groups, ["fast"]);
 * if (report.speedsUp === false) console.warn(report.message);
 * ```
 */
export function fastGroupPlacement(
  groups: readonly ParamGroup[],
  fastLabels: readonly string[],
): FastGroupPlacement {
  const fast = groups.filter((g) => fastLabels.includes(g.label)).flatMap((g) => g.params);
  const slow = groups.filter((g) => !fastLabels.includes(g.label)).flatMap((g) => g.params);
  if ([...fast, ...slow].some((p) => !p.layer || p.layer.index < 0) || fast.length === 0) {
    return { speedsUp: null, slowLayersAfter: [] };
  }
  const first = fast.reduce((a, b) => (b.layer!.index < a.layer!.index ? b : a)).layer!;
  const after = new Map<number, string>();
  for (const p of slow) if (p.layer!.index > first.index) after.set(p.layer!.index, p.layer!.name);
  const slowLayersAfter = [...after.entries()].sort((a, b) => a[0] - b[0]).map(([, name]) => name);
  const earliestFastLayer = { name: first.name, index: first.index };
  if (slowLayersAfter.length === 0) return { speedsUp: true, earliestFastLayer, slowLayersAfter };
  const shown = slowLayersAfter.slice(0, 4);
  const message =
    `multirate: the fast group ${quoteAll(fastLabels)} sits early in the network: it includes layer ${JSON.stringify(first.name)} ` +
    `(weight-owning layer #${first.index}), and ${slowLayersAfter.length} slow layer(s) come after it ` +
    `(${quoteAll(shown)}${slowLayersAfter.length > shown.length ? ", ..." : ""}). ` +
    `No speed-up is possible: the gradient of ${JSON.stringify(first.name)} needs back-propagation through every layer after it, ` +
    "so a fast step costs about as much as a full step. Put the last layer(s), the head, in the fast group " +
    "(the default); this partition still trains, at the cost of plain SGD.";
  return { speedsUp: false, earliestFastLayer, slowLayersAfter, message };
}

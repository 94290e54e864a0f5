import { describeValue } from "@sam/core";

/** Formats a value for an error message (`@sam/core`'s `describeValue`). */
export const show = describeValue;

/** Quotes and joins labels for a message: `"a", "b"`. */
export const quoteAll = (labels: readonly string[]) => labels.map((l) => JSON.stringify(l)).join(", ");

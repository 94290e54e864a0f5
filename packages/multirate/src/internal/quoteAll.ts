/** Quotes and joins labels for a message: `"a", "b"`. */
export const quoteAll = (labels: readonly string[]) => labels.map((l) => JSON.stringify(l)).join(", ");

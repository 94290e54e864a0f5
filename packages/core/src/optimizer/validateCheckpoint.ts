import { SamConfigError } from "../internal/errors";

/**
 * Checks a checkpoint against the slots it must fill and throws one error listing every
 * problem: missing names, unexpected names, wrong shapes, a missing step counter.
 */
export function validateCheckpoint(
  expected: readonly { name: string; shape: readonly number[] }[],
  given: readonly { name: string; tensor: { shape: readonly number[] } }[],
  hasIterations: boolean,
): void {
  const problems: string[] = [];
  if (!hasIterations) problems.push('the step counter "iter" is missing');
  const givenByName = new Map(given.map((w) => [w.name, w.tensor.shape]));
  for (const e of expected) {
    const shape = givenByName.get(e.name);
    if (!shape) problems.push(`missing "${e.name}" (shape [${e.shape.join(", ")}])`);
    else if (shape.length !== e.shape.length || shape.some((d, i) => d !== e.shape[i])) {
      problems.push(
        `"${e.name}" has shape [${shape.join(", ")}] but the optimizer needs [${e.shape.join(", ")}]`,
      );
    }
  }
  const expectedNames = new Set(expected.map((e) => e.name));
  for (const w of given) if (!expectedNames.has(w.name)) problems.push(`unexpected "${w.name}"`);
  if (problems.length > 0) {
    throw new SamConfigError(
      `The optimizer checkpoint does not fit this optimizer (${problems.length} problem(s)): ${problems.join("; ")}. ` +
        "Load a checkpoint saved by an optimizer with the same groups, rule and model, or build the optimizer to match it.",
    );
  }
}

/**
 * Refuses a case run that names a method or a field this replayer does not know, so that a
 * case written for a newer harness never runs silently as something else.
 *
 * @param where The case kind, for the message (e.g. `"SAM case"`).
 * @param run The run object of the case file.
 * @param fields Every field the replayer reads.
 * @param methods The known values of `run.method`, when the case has methods.
 *
 * @example
 * ```ts
 * checkRunFields("multirate case", { id: "a", k: 2, lr: 0.1, lag: 1 }, ["id", "k", "lr"]);
 * // throws: multirate case run "a" has the field "lag", which this replayer does not know (known: id, k, lr) ...
 * ```
 */
export function checkRunFields(
  where: string,
  run: Record<string, unknown>,
  fields: readonly string[],
  methods?: readonly string[],
): void {
  const id = JSON.stringify(run.id ?? "?");
  const unknown = Object.keys(run).filter((k) => !fields.includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `${where} run ${id} has the field(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}, which this replayer does not know (known: ${fields.join(", ")}). ` +
        "Replay it with a version of tools/reference that supports it, or remove the field.",
    );
  }
  if (methods && !methods.includes(run.method as string)) {
    throw new Error(
      `${where} run ${id} names the method ${JSON.stringify(run.method)}, which this replayer does not know (known: ${methods.join(", ")}). ` +
        "Replay it with a version of tools/reference that supports it, or leave the run out.",
    );
  }
}

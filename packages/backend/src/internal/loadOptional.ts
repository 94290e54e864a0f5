/** Outcome of {@link loadOptional}: the module, or why it could not be loaded. */
export type Optional<T> = { ok: true; module: T } | { ok: false; reason: string };

/**
 * Imports an optional peer dependency by name without failing when it is absent or broken
 * (e.g. tfjs-node without its native libtensorflow). The specifier is a variable, so bundlers
 * leave it alone and TypeScript needs no types for it.
 *
 * @example
 * ```ts
 * const node = await loadOptional("@tensorflow/tfjs-node");
 * if (!node.ok) console.log(node.reason);
 * ```
 */
export async function loadOptional<T = unknown>(specifier: string): Promise<Optional<T>> {
  try {
    const module = (await import(/* @vite-ignore */ specifier)) as T;
    return { ok: true, module };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const message = (e.message ?? String(error)).split("\n")[0]!;
    const missing =
      e.code === "ERR_MODULE_NOT_FOUND" ||
      e.code === "MODULE_NOT_FOUND" ||
      /Cannot find (package|module)|Could not (resolve|find)|Failed to (load|resolve)/.test(message);
    const reason = missing && message.includes(specifier) ? "not installed" : message;
    return { ok: false, reason };
  }
}

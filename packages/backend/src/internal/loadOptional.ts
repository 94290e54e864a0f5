/** Outcome of {@link loadOptional}: the module, or why it could not be loaded. */
export type Optional<T> = { ok: true; module: T } | { ok: false; reason: string };

/**
 * Imports an optional peer dependency without failing when it is absent or broken (e.g.
 * tfjs-node without its native libtensorflow). Pass `load` as an arrow with a literal
 * specifier, `() => import("@tensorflow/tfjs-backend-wasm")`, so bundlers see and bundle the
 * package; `"name" as string` inside it keeps TypeScript from needing the package's types
 * (the cast disappears when compiled, the literal stays). Without `load`, the specifier is
 * imported by value (invisible to bundlers).
 *
 * @example
 * ```ts
 * const wasm = await loadOptional("@tensorflow/tfjs-backend-wasm", () => import("@tensorflow/tfjs-backend-wasm"));
 * if (!wasm.ok) console.log(wasm.reason); // "not installed"
 * ```
 */
export async function loadOptional<T = unknown>(
  specifier: string,
  load: () => Promise<unknown> = () => import(/* @vite-ignore */ specifier),
): Promise<Optional<T>> {
  try {
    const module = (await load()) as T;
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

/**
 * Imports an optional peer package that a config names (`@sam/langevin`, `@sam/multirate`),
 * with an error that says which config field needs it and how to add it.
 *
 * @example
 * ```ts
 * const { sgld } = await loadPeer<typeof import("@sam/langevin")>("@sam/langevin", 'method.name "sgld"');
 * ```
 */
export async function loadPeer<T>(name: string, neededBy: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    throw new Error(
      `${neededBy} needs the optional peer package ${name}, which could not be loaded (${(e as Error).message}). Add it: npm i ${name}`,
    );
  }
}

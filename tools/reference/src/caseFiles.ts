import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** `../shared/reference/cases` beside the repository, where the project's reference cases live. */
export const SHARED_CASES = join(here, "..", "..", "..", "..", "shared", "reference", "cases");
/** Copies of the cases kept in the repository, so the tests always run. */
export const FIXTURE_CASES = join(here, "__fixtures__");

/**
 * Loads a case file from `../shared/reference/cases` when present (the current version),
 * else from this package's copy; says which.
 */
export function loadCase(name: string): { data: unknown; source: string } {
  const shared = join(SHARED_CASES, name);
  const source = existsSync(shared) ? shared : join(FIXTURE_CASES, name);
  return { data: JSON.parse(readFileSync(source, "utf8")), source };
}

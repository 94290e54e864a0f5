import { readFile } from "node:fs/promises";
import type { Dataset } from "./dataset";
import { type CsvOptions, parseCsv } from "./parseCsv";

/**
 * Reads a CSV file into a {@link Dataset} (see {@link parseCsv}).
 *
 * @example
 * ```ts
 * const iris = await readCsv('./iris.csv', { labelColumn: 'species' });
 * ```
 */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new Error(`readCsv: cannot read '${path}' (${(e as Error).message}).`);
  }
  return parseCsv(text, options, path);
}

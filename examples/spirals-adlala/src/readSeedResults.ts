import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SeedResult } from "./seedSummary";
import type { Checkpoint, Method } from "./trainSpirals";

/** The layout of `spirals-seed<seed>.json` that `main.ts` writes. */
interface SpiralRunFile {
  epochs: number;
  seed: number;
  results: { method: Method; history: Checkpoint[] }[];
}

/**
 * Reads every `spirals-seed<seed>.json` in `directories` and returns each seed's final test
 * accuracy per method, seeds in increasing order. Runs of one seed split over several
 * directories (methods run in separate processes) are merged; the same method twice for one
 * seed is an error, and so are files of different lengths unless `epochs` picks one.
 *
 * @example
 * ```ts
 * const results = readSeedResults(["results"], { epochs: 4000 });
 * console.log(summarizeSeeds(results).holdsOnMean);
 * ```
 */
export function readSeedResults(
  directories: readonly string[],
  options: { epochs?: number } = {},
): SeedResult[] {
  const files = directories.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => /^spirals-seed\d+\.json$/.test(name))
      .map((name) => join(dir, name)),
  );
  const runs = files.map((path) => ({ path, run: JSON.parse(readFileSync(path, "utf8")) as SpiralRunFile }));
  const lengths = [...new Set(runs.map((r) => r.run.epochs))];
  if (options.epochs === undefined && lengths.length > 1) {
    throw new Error(
      `readSeedResults: the files hold runs of ${lengths.join(", ")} epochs (${runs.map((r) => `${r.path}: ${r.run.epochs}`).join("; ")}); ` +
        "pass --epochs <n> to summarize one length.",
    );
  }
  const bySeed = new Map<number, SeedResult>();
  for (const { path, run } of runs) {
    if (options.epochs !== undefined && run.epochs !== options.epochs) continue;
    const entry = bySeed.get(run.seed) ?? { seed: run.seed, test: {} };
    for (const { method, history } of run.results) {
      if (entry.test[method] !== undefined) {
        throw new Error(
          `readSeedResults: seed ${run.seed} has two '${method}' runs (the second in ${path}); keep one.`,
        );
      }
      const last = history.at(-1);
      if (last) entry.test[method] = last.test;
    }
    bySeed.set(run.seed, entry);
  }
  return [...bySeed.values()].sort((a, b) => a.seed - b.seed);
}

/**
 * Summarizes the per-seed runs that `main.ts` wrote, against the ranking AdLaLa > Adam > SGD:
 *
 *   pnpm --filter @sam/example-spirals-adlala summarize -- results [more directories] [--epochs 4000]
 *
 * `--epochs` picks one run length when the files mix several; `--ranking adam,sgd` checks
 * another expected order (best first, adjacent pairs compared).
 * Prints one row per seed, each method's mean and spread, the adjacent pairs compared seed by
 * seed, and, as its last line, the summary as JSON.
 */
import { readSeedResults } from "./readSeedResults";
import { summarizeSeeds } from "./seedSummary";
import type { Method } from "./trainSpirals";

const args = process.argv.slice(2).filter((a) => a !== "--");
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const epochs = option("epochs");
const ranking = (option("ranking") ?? "adlala,adam,sgd").split(",") as Method[];
const directories = args.length > 0 ? args : ["results"];
const results = readSeedResults(directories, epochs === undefined ? {} : { epochs: Number(epochs) });
const summary = summarizeSeeds(results, ranking);
const pct = (v: number | undefined) => (v === undefined ? "    -" : v.toFixed(1).padStart(5));

console.log(`seed  ${ranking.map((m) => m.padStart(6)).join(" ")}`);
for (const r of results)
  console.log(`${String(r.seed).padStart(4)}  ${ranking.map((m) => ` ${pct(r.test[m])}`).join(" ")}`);
for (const m of ranking) {
  const s = summary.methods[m]!;
  console.log(
    `${m}: mean ${s.mean.toFixed(1)} % over ${s.n} seeds, sd ${s.sd.toFixed(1)}, standard error ${s.standardError.toFixed(1)}`,
  );
}
for (const p of summary.pairs) {
  console.log(
    `${p.ahead} - ${p.behind}: ${p.meanDifference.toFixed(1)} +- ${p.standardError.toFixed(1)} points (paired, ${p.n} seeds); ` +
      `${p.ahead} ahead on ${p.aheadOn}`,
  );
}
console.log(
  `ranking ${ranking.join(" > ")}: ${summary.holdsOnMean ? "holds" : "does not hold"} on the means; ` +
    `holds on ${summary.holdsOnSeeds} of the ${summary.seedsWithAll} seeds where all ran`,
);
console.log(JSON.stringify(summary));

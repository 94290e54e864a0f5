/**
 * Writes the two-spirals data of `src/main.ts` (500 training, then 1000 test points from
 * `seededRandom(seed)`) as CSV files for `sam-train` and the `sam-sweep` of the README:
 *
 *   pnpm --filter @sam/example-spirals-adlala spirals-csv -- 1 2 3 4 5
 *
 * writes `configs/data/spirals-seed<seed>-train.csv` and `-test.csv` (columns x, y, label; label 1 is
 * the second arm), the same points `main.ts` trains on for that seed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom, type TwoSpirals, twoSpirals } from "../src/twoSpirals";

const csv = (d: TwoSpirals) => {
  const rows = ["x,y,label"];
  for (let i = 0; i < d.n; i++) rows.push(`${d.x[2 * i]},${d.x[2 * i + 1]},${d.y[i]}`);
  return `${rows.join("\n")}\n`;
};

const seeds = process.argv
  .slice(2)
  .filter((a) => a !== "--")
  .map(Number);
if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 1)) {
  console.error("usage: spirals-csv SEED... (positive integers, e.g. 1 2 3 4 5)");
  process.exit(2);
}
const dir = join(import.meta.dirname, "..", "configs", "data");
mkdirSync(dir, { recursive: true });
for (const seed of seeds) {
  const rng = seededRandom(seed);
  const train = twoSpirals(500, rng);
  const test = twoSpirals(1000, rng);
  writeFileSync(join(dir, `spirals-seed${seed}-train.csv`), csv(train));
  writeFileSync(join(dir, `spirals-seed${seed}-test.csv`), csv(test));
  console.log(`configs/data/spirals-seed${seed}-{train,test}.csv: ${train.n} + ${test.n} points`);
}

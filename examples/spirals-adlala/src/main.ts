/**
 * AdLaLa against Adam and momentum SGD on the 4-turn two-spirals problem (500 training and
 * 1000 test points, 2-100-1 ReLU MLP, batch 25), as in the authors' notebook:
 *
 *   pnpm --filter @sam/example-spirals-adlala start -- --epochs 4000 --seed 2 --out results
 *
 * Writes `<out>/spirals-seed<seed>.json` (accuracy every `--every` epochs, AdLaLa's thermostat
 * diagnostics) and `<out>/boundaries-seed<seed>.svg` (one decision-boundary panel per method).
 */
import * as tf from "@tensorflow/tfjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decisionBoundaryPanel, decisionBoundarySvg } from "./decisionBoundarySvg";
import { type Method, type SpiralRun, trainSpirals } from "./trainSpirals";
import { seededRandom, twoSpirals } from "./twoSpirals";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};

async function main() {
  const epochs = Number(arg("epochs", "4000"));
  const seed = Number(arg("seed", "2"));
  const every = Number(arg("every", String(Math.max(1, Math.floor(epochs / 8)))));
  const out = arg("out", "results");
  const methods = arg("methods", "adlala,adam,sgd").split(",") as Method[];
  await tf.setBackend(arg("backend", "cpu"));
  const rng = seededRandom(seed);
  const train = twoSpirals(500, rng);
  const test = twoSpirals(1000, rng);
  const resolution = 64;
  const extent = 2.3;
  const axis = Array.from({ length: resolution }, (_, i) => -extent + ((i + 0.5) * 2 * extent) / resolution);
  const gridPoints = new Float32Array(resolution * resolution * 2);
  axis.forEach((yv, r) =>
    axis.forEach((xv, c) => {
      gridPoints[2 * (r * resolution + c)] = xv;
      gridPoints[2 * (r * resolution + c) + 1] = -yv; // row 0 at the top
    }),
  );
  const grid = tf.tensor2d(gridPoints, [resolution * resolution, 2]);
  const runs: SpiralRun[] = [];
  for (const method of methods) {
    runs.push(await trainSpirals({ method, train, test, epochs, every, seed, grid, log: console.log }));
  }
  mkdirSync(out, { recursive: true });
  const label = { adlala: "AdLaLa", adam: "Adam (lr 0.005)", sgd: "SGD momentum (0.05, 0.9)" };
  const panels = runs.map((r) =>
    decisionBoundaryPanel({
      title: `${label[r.method]}: test ${r.history.at(-1)!.test.toFixed(1)}%`,
      grid: r.grid,
      resolution,
      extent,
      points: train,
    }),
  );
  writeFileSync(join(out, `boundaries-seed${seed}.svg`), decisionBoundarySvg(panels));
  const summary = {
    epochs,
    seed,
    backend: tf.getBackend(),
    results: runs.map((r) => ({
      method: r.method,
      seconds: r.seconds,
      history: r.history,
      diagnostics: r.diagnostics,
    })),
  };
  writeFileSync(join(out, `spirals-seed${seed}.json`), JSON.stringify(summary, null, 1));
  console.log(
    JSON.stringify({
      epochs,
      seed,
      test: Object.fromEntries(runs.map((r) => [r.method, r.history.at(-1)!.test])),
      train: Object.fromEntries(runs.map((r) => [r.method, r.history.at(-1)!.train])),
    }),
  );
  grid.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

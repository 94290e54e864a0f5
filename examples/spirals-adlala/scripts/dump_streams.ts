/**
 * Writes the example's random draws for one seed: the data, the initialization and, for Adam
 * and SGD, every epoch's order of the training points, exactly as `main.ts` uses them, so that
 * `scripts/reference_baselines.py --streams` trains the same draws in the harness's float64
 * arithmetic. From the example's directory:
 *
 *   pnpm exec tsx --conditions=@sam/source scripts/dump_streams.ts 3 /tmp/s3.json
 */
import * as tf from "@tensorflow/tfjs";
import { writeFileSync } from "node:fs";
import { epochOrder, spiralModel } from "../src/trainSpirals";
import { seededRandom, twoSpirals } from "../src/twoSpirals";

const seed = Number(process.argv[2]);
const out = process.argv[3];
if (!Number.isInteger(seed) || !out) {
  throw new Error("usage: dump_streams.ts <seed> <out.json>; e.g. dump_streams.ts 3 /tmp/s3.json");
}
const epochs = 4000;
await tf.setBackend("cpu");
const rng = seededRandom(seed);
const train = twoSpirals(500, rng);
const test = twoSpirals(1000, rng);
const model = spiralModel(seed);
const [kernel1, bias1, kernel2, bias2] = model.getWeights().map((w) => Array.from(w.dataSync()));
const permutations = Object.fromEntries(
  (["adam", "sgd"] as const).map((method) => {
    const nextOrder = epochOrder(seed, method, train.n);
    return [method, Array.from({ length: epochs }, () => [...nextOrder()]).flat()];
  }),
);
writeFileSync(
  out,
  JSON.stringify({
    seed,
    epochs,
    xTrain: Array.from(train.x),
    yTrain: Array.from(train.y),
    xTest: Array.from(test.x),
    yTest: Array.from(test.y),
    kernel1,
    bias1,
    kernel2,
    bias2,
    permutations,
  }),
);

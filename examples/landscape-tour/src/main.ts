/**
 * Two landscape measurements with plots (written to results/):
 * 1. per-block linear interpolation from initialization to solution (Vlaar & Frankle 2022);
 * 2. an edge-of-stability run: the top Hessian eigenvalue of a tanh MLP rises to 2/lr under
 *    full-batch gradient descent (Cohen et al. 2021), tracked by a model.fit callback.
 *
 *   pnpm --filter @sam/example-landscape-tour start
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { setupBackend } from "@sam/backend";
import { formatTable, progressBar } from "@sam/examples-kit";
import { interpolationPlot, sharpnessPlot } from "@sam/landscape";
import { writePlot } from "@sam/landscape/node";
import { edgeOfStabilityRun } from "./edgeOfStability";
import { layerwiseInterpolation } from "./layerwiseInterpolation";

const backend = await setupBackend();
console.log(`backend: ${backend.backend}\n`);
mkdirSync("results", { recursive: true });

let bar: ReturnType<typeof progressBar> | null = null;
const interpolation = await layerwiseInterpolation({
  trainImages: 1000,
  testImages: 500,
  epochs: 6,
  points: 11,
  progress: (done, total) => {
    bar ??= progressBar("interpolate per block", total);
    bar.tick();
  },
});
(bar as ReturnType<typeof progressBar> | null)?.done();
console.log(
  formatTable(
    interpolation.curves
      .filter((c) => c.split === "train")
      .map((c) => ({
        moved: c.label,
        "loss at 0": c.loss[0]?.toFixed(3) ?? "NaN",
        "loss at 1": c.loss.at(-1)?.toFixed(3) ?? "NaN",
        monotone: c.metrics.monotone ? "yes" : "no",
        "barrier vs chord": c.metrics.barrierVsChord?.toFixed(3) ?? "-",
        distance: c.distance.toFixed(2),
      })),
  ),
);
const files1 = await writePlot(interpolationPlot(interpolation, { title: "ResNet-8: loss from initialization to solution, one block at a time" }), "results/layerwise-interpolation");

const eos = await edgeOfStabilityRun({ lr: 0.4, steps: 1500, every: 50, n: 200 });
const last = eos.history.slice(-10);
const mean = last.reduce((s, r) => s + r.lambdaMax, 0) / last.length;
console.log(`\nedge of stability: 2/lr = ${eos.threshold}; top eigenvalue ${eos.history[0]!.lambdaMax.toFixed(2)} at step 0, mean of the last 10 measurements ${mean.toFixed(2)}`);
const files2 = await writePlot(sharpnessPlot(eos.history, { title: "tanh MLP, full-batch GD, lr 0.4: top Hessian eigenvalue and 2/lr" }), "results/edge-of-stability");
writeFileSync("results/landscape-tour.json", `${JSON.stringify({ backend: backend.backend, interpolation, edgeOfStability: eos }, null, 2)}\n`);
console.log(`\nwrote ${files1.svg}, ${files2.svg} (and .png, .vl.json), results/landscape-tour.json`);

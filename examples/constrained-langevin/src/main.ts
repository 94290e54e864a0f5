/**
 * Orthogonality-constrained underdamped Langevin against the unconstrained sampler on the
 * generated "shapes" task (16x16 images flattened, an MLP 768-64-64-5). Prints test accuracy
 * and the orthogonality residual of the 64x64 hidden kernel per epoch, plots the residuals
 * (results/orthogonality.svg, .png) and writes results/constrained-langevin.json.
 *
 *   pnpm --filter @sam/example-constrained-langevin start
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { setupBackend } from "@sam/backend";
import { formatTable } from "@sam/examples-kit";
import { makePlot } from "@sam/landscape";
import { writePlot } from "@sam/landscape/node";
import { shapes } from "@sam/models";
import { constrainedRun } from "./constrainedRun";

const backend = await setupBackend();
console.log(`backend: ${backend.backend}\n`);
const train = shapes({ n: 2000, task: "A", size: 16, noise: 0.25, seed: 31 });
const test = shapes({ n: 1000, task: "A", size: 16, noise: 0.25, seed: 32 });
const runs = [];
for (const orthogonal of [false, true]) {
  runs.push(await constrainedRun({ train, test, epochs: 15, batchSize: 50, width: 64, orthogonal, label: orthogonal ? "orthogonal" : "free" }));
}
console.log(
  formatTable(
    runs.map((r) => ({
      sampler: r.orthogonal ? "BAOAB, orthogonal hidden kernel" : "BAOAB, unconstrained",
      "test accuracy": `${(r.testAccuracy * 100).toFixed(1)}%`,
      "residual at start": r.residuals[0]!.toExponential(2),
      "residual at end": r.residuals.at(-1)!.toExponential(2),
    })),
  ),
);
mkdirSync("results", { recursive: true });
const values = runs.flatMap((r) => r.residuals.map((v, epoch) => ({ epoch, residual: Math.max(v, 1e-9), sampler: r.orthogonal ? "orthogonal" : "unconstrained" })));
const plot = makePlot({
  title: "||W^T W - I||_F of the 64x64 hidden kernel during training",
  width: 480,
  height: 260,
  data: { values },
  mark: { type: "line", point: true },
  encoding: {
    x: { field: "epoch", type: "quantitative" },
    y: { field: "residual", type: "quantitative", scale: { type: "log" } },
    color: { field: "sampler", type: "nominal" },
  },
});
const files = await writePlot(plot, "results/orthogonality");
writeFileSync("results/constrained-langevin.json", `${JSON.stringify({ backend: backend.backend, runs }, null, 2)}\n`);
console.log(`\nwrote ${files.svg}, ${files.png}, results/constrained-langevin.json`);

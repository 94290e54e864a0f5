/**
 * SGD vs SAM vs SAM-ON vs ASAM on the generated "shapes" task (task B, 5 classes) with a
 * CIFAR ResNet-20 (BatchNorm, momentum SGD) and a small ViT (LayerNorm, AdamW with warm-up and
 * cosine decay), on the fastest backend available. Writes results/sam-family*.json and prints
 * a table per model.
 *
 *   pnpm --filter @sam/example-sam-family start                 # both models (see the README for times)
 *   pnpm --filter @sam/example-sam-family start --model=vit     # one model only
 *   SAM_EXAMPLE_QUICK=1 pnpm --filter @sam/example-sam-family start   # a few steps
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { setupBackend } from "@sam/backend";
import { formatTable } from "@sam/examples-kit";
import { compareSamFamily, type SamFamilyOptions } from "./compareSamFamily";
import { RESNET_RUN, VIT_RUN } from "./runs";

const quick = Boolean(process.env.SAM_EXAMPLE_QUICK);
const backend = await setupBackend();
console.log(`backend: ${backend.backend} (${backend.reason})`);
const shrink = (c: SamFamilyOptions): SamFamilyOptions =>
  quick ? { ...c, trainImages: 64, testImages: 64, epochs: 1 } : c;
const configs = [RESNET_RUN, VIT_RUN].map(shrink);
const only = process.argv.find((a) => a.startsWith("--model="))?.slice("--model=".length);
const load = () => loadavg().map((l) => Number(l.toFixed(2)));
const report: Record<string, unknown> = {
  backend: backend.backend,
  quick,
  cpus: cpus().length,
  loadAtStart: load(),
  runs: [],
};
for (const config of configs.filter((c) => !only || c.model === only)) {
  const rows = compareSamFamily({ ...config, progress: true });
  (report.runs as unknown[]).push({ config, rows, loadAfter: load() });
  console.log(
    `\n${config.model}, ${config.trainImages} training images, ${config.epochs} epochs, batch ${config.batchSize}`,
  );
  console.log(
    formatTable(
      rows.map((r) => ({
        method: r.method,
        rho: r.rho ?? "-",
        "test accuracy": `${(r.testAccuracy * 100).toFixed(1)}%`,
        "train loss": r.trainLoss.toFixed(3),
        "s/epoch": r.secondsPerEpoch.toFixed(1),
      })),
    ),
  );
  for (const r of rows) {
    if (r.testCurve)
      console.log(
        `${r.method.padEnd(7)} test accuracy by epoch: ${r.testCurve.map((a) => (a * 100).toFixed(0)).join(" ")}`,
      );
  }
}
report.loadAtEnd = load();
mkdirSync("results", { recursive: true });
const file = `results/sam-family${only ? `-${only}` : ""}${quick ? "-quick" : ""}.json`;
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nwrote ${file} (load average ${(report.loadAtStart as number[]).join(" ")} at start, ${load().join(" ")} at end)`,
);

/**
 * SGD vs SAM vs SAM-ON vs ASAM on the generated "shapes" task (task B, 5 classes) with a
 * CIFAR ResNet-20 (BatchNorm) and a small ViT (LayerNorm), on the fastest backend available.
 * Writes results/sam-family.json and prints a table.
 *
 *   pnpm --filter @sam/example-sam-family start            # the full run (about 15 minutes on 2 cores)
 *   SAM_EXAMPLE_QUICK=1 pnpm --filter @sam/example-sam-family start   # a few steps
 *   pnpm --filter @sam/example-sam-family start --model=vit          # one model only
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { setupBackend } from "@sam/backend";
import { formatTable } from "@sam/examples-kit";
import { compareSamFamily, type SamFamilyOptions } from "./compareSamFamily";

const quick = Boolean(process.env.SAM_EXAMPLE_QUICK);
const backend = await setupBackend();
console.log(`backend: ${backend.backend} (${backend.reason})`);
const configs: SamFamilyOptions[] = [
  { model: "resnet20", size: 16, trainImages: quick ? 64 : 1000, testImages: quick ? 64 : 1000, epochs: quick ? 1 : 6, batchSize: 50, noise: 0.35 },
  { model: "vit", size: 16, trainImages: quick ? 64 : 1000, testImages: quick ? 64 : 1000, epochs: quick ? 1 : 6, batchSize: 50, noise: 0.35, base: "adamw" },
];
const only = process.argv.find((a) => a.startsWith("--model="))?.slice("--model=".length);
const report: Record<string, unknown> = { backend: backend.backend, quick, runs: [] };
for (const config of configs.filter((c) => !only || c.model === only)) {
  const rows = compareSamFamily({ ...config, progress: true });
  (report.runs as unknown[]).push({ config, rows });
  console.log(`\n${config.model}, ${config.trainImages} training images, ${config.epochs} epochs, batch ${config.batchSize}`);
  console.log(
    formatTable(
      rows.map((r) => ({
        method: r.method,
        rho: r.rho ?? "-",
        "test accuracy": `${(r.testAccuracy * 100).toFixed(1)}%`,
        "train loss": r.trainLoss.toFixed(3),
        seconds: r.seconds.toFixed(1),
      })),
    ),
  );
}
mkdirSync("results", { recursive: true });
writeFileSync(`results/sam-family${only ? `-${only}` : ""}.json`, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote results/sam-family${only ? `-${only}` : ""}.json`);

import { join } from "node:path";
import { makePlot } from "@sam/landscape";
import { mkdirSync } from "node:fs";
import { atomicWrite } from "../fs/atomicWrite";
import type { MetricsLine } from "../checkpoint/checkpointState";

function lineChart(title: string, rows: { step: number; value: number; series: string }[], y: string) {
  return makePlot({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 420,
    height: 260,
    data: { values: rows },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "value", type: "quantitative", title: y },
      color: { field: "series", type: "nominal", title: null },
    },
  });
}

/**
 * Draws the run's curves through `@sam/landscape`'s plot code: `curves/loss.{svg,png}` (train,
 * validation and test loss against step) and `curves/accuracy.{svg,png}`, written atomically
 * under the run directory. Rendering needs the plotting peers of `@sam/landscape` (vega,
 * vega-lite, @resvg/resvg-js); without them it returns the reason and writes nothing.
 *
 * @returns The files written, or the reason nothing was.
 *
 * @example
 * ```ts
 * const line = { step: 10, epoch: 1, train_loss: 0.5, test_loss: 0.6, test_accuracy: 0.8, seconds: 1, images_per_second: 640, backend: "wasm" };
 * const r = await writeCurves("runs/a", [line]); // { files: ["curves/loss.svg", ...] } or { skipped: why }
 * ```
 */
export async function writeCurves(
  out: string,
  metrics: readonly MetricsLine[],
): Promise<{ files: string[] } | { skipped: string }> {
  const loss: { step: number; value: number; series: string }[] = [];
  const acc: { step: number; value: number; series: string }[] = [];
  for (const m of metrics) {
    loss.push({ step: m.step, value: m.train_loss, series: "train" });
    loss.push({ step: m.step, value: m.test_loss, series: "test" });
    acc.push({ step: m.step, value: m.test_accuracy, series: "test" });
    if (m.validation_loss !== undefined) {
      loss.push({ step: m.step, value: m.validation_loss, series: "validation" });
      acc.push({ step: m.step, value: m.validation_accuracy!, series: "validation" });
    }
  }
  const files: string[] = [];
  try {
    mkdirSync(join(out, "curves"), { recursive: true });
    for (const [name, plot] of [
      ["loss", lineChart("Loss", loss, "cross-entropy")],
      ["accuracy", lineChart("Accuracy", acc, "top-1 accuracy")],
    ] as const) {
      atomicWrite(join(out, "curves", `${name}.svg`), await plot.svg());
      files.push(`curves/${name}.svg`);
      atomicWrite(join(out, "curves", `${name}.png`), await plot.png());
      files.push(`curves/${name}.png`);
    }
  } catch (e) {
    return { skipped: (e as Error).message };
  }
  return { files };
}

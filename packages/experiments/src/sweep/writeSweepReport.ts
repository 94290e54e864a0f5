import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { atomicWrite } from "../fs/atomicWrite";
import { reportPlots } from "./reportPlots";
import { reportMarkdown, type SweepReport, sweepReport } from "./sweepReport";

/**
 * Computes a sweep's report and writes it: `DIR/report.json`, `DIR/report.md`, and the plots
 * `DIR/plots/<name>.svg` and `.png` (rendered by `@sam/landscape`; without its plotting peers the
 * plots are skipped and the report says why).
 *
 * @returns The report, its markdown, the plot files written and why plots were skipped (if so).
 *
 * @example
 * ```ts
 * import { writeSweepReport } from "@sam/experiments";
 *
 * const { markdown } = await writeSweepReport("sweeps/a");
 * console.log(markdown);
 * ```
 */
export async function writeSweepReport(
  out: string,
): Promise<{ report: SweepReport; markdown: string; plots: string[]; plotsSkipped?: string }> {
  const report = sweepReport(out);
  const plots: string[] = [];
  let plotsSkipped: string | undefined;
  try {
    const drawn = reportPlots(report);
    if (Object.keys(drawn).length > 0) mkdirSync(join(out, "plots"), { recursive: true });
    for (const [name, plot] of Object.entries(drawn)) {
      atomicWrite(join(out, "plots", `${name}.svg`), await plot.svg());
      plots.push(`plots/${name}.svg`);
      atomicWrite(join(out, "plots", `${name}.png`), await plot.png());
      plots.push(`plots/${name}.png`);
    }
  } catch (e) {
    plotsSkipped = (e as Error).message;
  }
  let markdown = reportMarkdown(report, plots);
  if (plotsSkipped) markdown += `\nPlots not drawn: ${plotsSkipped}\n`;
  atomicWrite(join(out, "report.json"), `${JSON.stringify({ ...report, plots }, null, 2)}\n`);
  atomicWrite(join(out, "report.md"), markdown);
  return { report, markdown, plots, ...(plotsSkipped ? { plotsSkipped } : {}) };
}

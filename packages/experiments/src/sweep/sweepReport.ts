import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunSummary } from "../run/trainRun";
import { cellLabel, REPORT_METRICS } from "./resolveSweep";
import { type SweepFile, readSweepFile, type TrialFailure, trialDir } from "./sweepDir";
import { type MeanSe, meanSe, type PairedDifference, pairedDifference } from "./sweepStats";
import type { TrialResult } from "./trialResult";
import { canonicalJson } from "./trialId";

/** One cell of a report: the trials that share the cell axes' values (they differ in seed). */
export interface ReportCell {
  label: string;
  /** The cell axes' values. */
  values: Record<string, unknown>;
  /** Mean, standard error and count of every metric the cell's finished trials have. */
  metrics: Record<string, MeanSe>;
  /** The finished trials, by pairing key (the values of the other axes, e.g. `{"seed":1}`). */
  trials: Record<string, string>;
}

/** A comparison of two cells: B - A of the report's metric over the keys (seeds) both have. */
export interface ReportComparison {
  a: string;
  b: string;
  metric: string;
  difference: PairedDifference | null;
  /** How many of the shared keys have B better than A (by `higherIsBetter`). */
  bBetter: number;
}

/** What `sam-sweep report` computes: `DIR/report.json`. */
export interface SweepReport {
  name: string;
  metric: string;
  higherIsBetter: boolean;
  cellAxes: string[];
  x: string | null;
  trials: number;
  done: number;
  failed: { id: string; error: string }[];
  /** Trials neither done nor failed (not run yet, running, or interrupted). */
  missing: string[];
  cells: ReportCell[];
  comparisons: ReportComparison[];
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

/**
 * Computes a sweep's report from its directory: per cell the mean, standard error and count of
 * every metric (`final_test_accuracy`, `final_test_loss`, `final_train_loss`, the validation
 * ones when present, from `result.json`; `seconds` of training from `summary.json`), the paired
 * differences of the compared cells, and the trials that failed or are missing.
 *
 * @example
 * ```ts
 * import { sweepReport } from "@sam/experiments";
 *
 * const report = sweepReport("sweeps/a");
 * report.cells.map((c) => [c.label, c.metrics.final_test_accuracy?.mean]);
 * ```
 */
export function sweepReport(out: string, sweepFile?: SweepFile): SweepReport {
  const sweep = sweepFile ?? readSweepFile(out);
  const r = sweep.spec.report;
  const cellAxes = sweep.cellAxes;
  // trials of two cells pair on the other axes that vary inside a cell (the seed); an axis fixed
  // by the cell (a rho zipped with the method) is left out of the pairing key
  const spread = new Map<string, Set<string>>();
  for (const t of sweep.trials) {
    for (const a of sweep.axes.filter((x) => !cellAxes.includes(x))) {
      const k = `${a}\u0000${cellLabel(t.values, cellAxes)}`;
      if (!spread.has(k)) spread.set(k, new Set());
      spread.get(k)!.add(canonicalJson(t.values[a] ?? null));
    }
  }
  const pairAxes = sweep.axes.filter(
    (a) =>
      !cellAxes.includes(a) &&
      [...spread.entries()].some(([k, v]) => k.startsWith(`${a}\u0000`) && v.size > 1),
  );
  const cells = new Map<
    string,
    { values: Record<string, unknown>; rows: Map<string, Record<string, number>>; ids: Map<string, string> }
  >();
  const failed: SweepReport["failed"] = [];
  const missing: string[] = [];
  let done = 0;
  for (const t of sweep.trials) {
    const label = cellLabel(t.values, cellAxes);
    if (!cells.has(label)) {
      cells.set(label, {
        values: Object.fromEntries(cellAxes.map((k) => [k, t.values[k] ?? null])),
        rows: new Map(),
        ids: new Map(),
      });
    }
    const dir = trialDir(out, t.id);
    const result = readJson<TrialResult>(join(dir, "result.json"));
    if (!result || result.config_sha256 !== t.configSha256) {
      const failure = readJson<TrialFailure>(join(dir, "failed.json"));
      if (failure) failed.push({ id: t.id, error: failure.error });
      else missing.push(t.id);
      continue;
    }
    done += 1;
    const summary = readJson<RunSummary>(join(dir, "summary.json"));
    const row: Record<string, number> = {};
    for (const m of REPORT_METRICS) {
      const v = m === "seconds" ? summary?.seconds : (result as unknown as Record<string, unknown>)[m];
      if (typeof v === "number" && Number.isFinite(v)) row[m] = v;
    }
    const key = canonicalJson(Object.fromEntries(pairAxes.map((k) => [k, t.values[k] ?? null])));
    cells.get(label)!.rows.set(key, row);
    cells.get(label)!.ids.set(key, t.id);
  }
  const reportCells: ReportCell[] = [...cells.entries()].map(([label, c]) => {
    const metrics: Record<string, MeanSe> = {};
    for (const m of REPORT_METRICS) {
      const xs = [...c.rows.values()].map((row) => row[m]).filter((v): v is number => v !== undefined);
      if (xs.length > 0) metrics[m] = meanSe(xs);
    }
    return { label, values: c.values, metrics, trials: Object.fromEntries(c.ids) };
  });
  const select = (side: Record<string, unknown>) =>
    [...cells.entries()].find(([, c]) =>
      Object.entries(side).every(([k, v]) => canonicalJson(c.values[k] ?? null) === canonicalJson(v)),
    );
  const comparisons: ReportComparison[] = [];
  for (const [sa, sb] of r.compare) {
    const a = select(sa);
    const b = select(sb);
    if (!a || !b) continue;
    const series = (c: typeof a) =>
      new Map(
        [...c[1].rows.entries()]
          .filter(([, row]) => row[r.metric] !== undefined)
          .map(([k, row]) => [k, row[r.metric]!]),
      );
    const ma = series(a);
    const mb = series(b);
    const difference = pairedDifference(ma, mb);
    const bBetter = (difference?.keys ?? []).filter((k) =>
      r.higherIsBetter ? mb.get(k)! > ma.get(k)! : mb.get(k)! < ma.get(k)!,
    ).length;
    comparisons.push({ a: a[0], b: b[0], metric: r.metric, difference, bBetter });
  }
  return {
    name: sweep.name,
    metric: r.metric,
    higherIsBetter: r.higherIsBetter,
    cellAxes: [...cellAxes],
    x: r.x ?? null,
    trials: sweep.trials.length,
    done,
    failed,
    missing,
    cells: reportCells,
    comparisons,
  };
}

/** `mean ± se` with `digits` decimals (`mean` alone when n = 1). */
function pm(s: MeanSe | undefined, digits: number): string {
  if (!s) return "–";
  return s.se === null ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ± ${s.se.toFixed(digits)}`;
}

const DIGITS: Record<string, number> = { seconds: 2 };

/**
 * The report as markdown: a table of the cells (mean ± standard error and n of every metric,
 * the best cell of the report's metric in bold), the paired differences, and the failed and
 * missing trials.
 *
 * @example
 * ```ts
 * import { reportMarkdown, sweepReport } from "@sam/experiments";
 *
 * console.log(reportMarkdown(sweepReport("sweeps/a")));
 * ```
 */
export function reportMarkdown(report: SweepReport, plots: readonly string[] = []): string {
  const lines: string[] = [];
  lines.push(`# Sweep ${report.name}`, "");
  lines.push(
    `${report.done} of ${report.trials} trials done${report.failed.length ? `, ${report.failed.length} failed` : ""}${report.missing.length ? `, ${report.missing.length} missing (not run or unfinished)` : ""}. ` +
      `Each cell: mean ± standard error (sample standard deviation / √n) over its trials; ${report.metric} is the report's metric (${report.higherIsBetter ? "higher" : "lower"} is better).`,
    "",
  );
  const metrics = REPORT_METRICS.filter((m) => report.cells.some((c) => c.metrics[m]));
  const ordered = [report.metric, ...metrics.filter((m) => m !== report.metric)];
  const best = report.cells
    .filter((c) => c.metrics[report.metric])
    .reduce<ReportCell | null>((acc, c) => {
      if (!acc) return c;
      const a = acc.metrics[report.metric]!.mean;
      const b = c.metrics[report.metric]!.mean;
      return (report.higherIsBetter ? b > a : b < a) ? c : acc;
    }, null);
  lines.push(`| cell | n | ${ordered.join(" | ")} |`);
  lines.push(`| --- | ---: | ${ordered.map(() => "---:").join(" | ")} |`);
  for (const c of report.cells) {
    const n = Math.max(0, ...Object.values(c.metrics).map((s) => s.n));
    const cols = ordered.map((m) => {
      const text = pm(c.metrics[m], DIGITS[m] ?? 4);
      return c === best && m === report.metric ? `**${text}**` : text;
    });
    lines.push(`| ${c.label} | ${n} | ${cols.join(" | ")} |`);
  }
  if (report.comparisons.length > 0) {
    lines.push(
      "",
      `Paired differences of ${report.metric} (B − A over the trials both cells have, same seeds):`,
      "",
    );
    lines.push("| B | A | n | B − A (mean ± s.e.) | B better |");
    lines.push("| --- | --- | ---: | ---: | ---: |");
    for (const c of report.comparisons) {
      const d = c.difference;
      const dropped =
        d && (d.onlyA.length || d.onlyB.length)
          ? ` (unpaired left out: ${d.onlyA.length + d.onlyB.length})`
          : "";
      lines.push(
        `| ${c.b} | ${c.a} | ${d?.n ?? 0} | ${d ? pm(d, 4) : "no shared seeds"}${dropped} | ${d ? `${c.bBetter} of ${d.n}` : "–"} |`,
      );
    }
  }
  if (report.failed.length > 0) {
    lines.push("", "Failed trials:", "");
    for (const f of report.failed) lines.push(`- ${f.id}: ${f.error}`);
  }
  if (report.missing.length > 0) {
    lines.push("", `Missing trials (not run, running or interrupted): ${report.missing.join("; ")}`);
  }
  if (plots.length > 0) {
    lines.push("");
    for (const p of plots.filter((f) => f.endsWith(".svg"))) lines.push(`![${p}](${p})`);
  }
  return `${lines.join("\n")}\n`;
}

import type { Dataset } from "./dataset";

/** Options of {@link parseCsv} and `readCsv` (from `@sam/models/node`). */
export interface CsvOptions {
  /** Label column: index (negative counts from the end) or header name. Default -1 (last). */
  labelColumn?: number | string;
  /** Whether the first row is a header. Default `'auto'`: yes if any of its cells is not a number. */
  header?: boolean | "auto";
  /** Field delimiter. Default `','`. */
  delimiter?: string;
  /**
   * `'classification'` (default): labels become class ids; numeric labels must be integers >= 0
   * (`numClasses` = max + 1), non-numeric ones are mapped in order of first appearance (their
   * names in `classNames`). `'regression'`: labels are float32 targets.
   */
  task?: "classification" | "regression";
}

/**
 * Parses numeric CSV text into a {@link Dataset}: every column but the label is a float32 feature.
 * Simple CSV only: no quoted fields; blank lines are ignored; `\r\n` is accepted.
 *
 * @param text - The CSV text.
 * @param options - See {@link CsvOptions}.
 * @param what - A name for error messages.
 * @returns The data set (`xShape = [features]`).
 * @throws With the row and column of a non-numeric feature, a row of the wrong length, or a
 *   label that is not a non-negative integer in classification.
 *
 * @example
 * ```ts
 * const ds = parseCsv('x1,x2,label\n0.1,0.2,0\n0.5,0.1,1\n');
 * ds.xShape; // [2]
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = {}, what = "<text>"): Dataset {
  const { delimiter = ",", task = "classification" } = options;
  const rows = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, cells: line.split(delimiter).map((c) => c.trim()) }))
    .filter((r) => !(r.cells.length === 1 && r.cells[0] === ""));
  if (rows.length === 0) throw new Error(`parseCsv: '${what}' has no rows.`);
  const isNum = (s: string) => s !== "" && Number.isFinite(Number(s));
  const first = rows[0]!;
  const header =
    options.header === "auto" || options.header === undefined ? !first.cells.every(isNum) : options.header;
  const names = header ? first.cells : undefined;
  const data = header ? rows.slice(1) : rows;
  const width = first.cells.length;
  let labelCol: number;
  if (typeof options.labelColumn === "string") {
    if (!names)
      throw new Error(
        `parseCsv: labelColumn '${options.labelColumn}' given by name but '${what}' has no header.`,
      );
    labelCol = names.indexOf(options.labelColumn);
    if (labelCol < 0) {
      throw new Error(
        `parseCsv: no column '${options.labelColumn}' in '${what}'; columns are ${names.join(", ")}.`,
      );
    }
  } else {
    const c = options.labelColumn ?? -1;
    labelCol = c < 0 ? width + c : c;
    if (!Number.isInteger(labelCol) || labelCol < 0 || labelCol >= width) {
      throw new Error(`parseCsv: labelColumn ${c} is out of range for ${width} columns in '${what}'.`);
    }
  }
  const f = width - 1;
  const n = data.length;
  const xs = new Float32Array(n * f);
  const rawLabels: string[] = [];
  data.forEach((r, i) => {
    if (r.cells.length !== width) {
      throw new Error(
        `parseCsv: line ${r.line} of '${what}' has ${r.cells.length} fields, expected ${width}.`,
      );
    }
    let k = 0;
    r.cells.forEach((cell, j) => {
      if (j === labelCol) {
        rawLabels.push(cell);
        return;
      }
      if (!isNum(cell)) {
        throw new Error(
          `parseCsv: line ${r.line}, column ${j + 1}${names ? ` ('${names[j]}')` : ""} of '${what}' is '${cell}', not a number.`,
        );
      }
      xs[i * f + k++] = Number(cell);
    });
  });
  if (task === "regression") {
    const ys = new Float32Array(n);
    rawLabels.forEach((l, i) => {
      if (!isNum(l))
        throw new Error(`parseCsv: line ${data[i]!.line} of '${what}': label '${l}' is not a number.`);
      ys[i] = Number(l);
    });
    return { xs, xShape: [f], ys, yShape: [], size: n };
  }
  const ys = new Int32Array(n);
  if (rawLabels.every(isNum)) {
    let max = -1;
    rawLabels.forEach((l, i) => {
      const v = Number(l);
      if (!Number.isInteger(v) || v < 0) {
        throw new Error(
          `parseCsv: line ${data[i]!.line} of '${what}': class label '${l}' must be an integer >= 0 ` +
            "(or pass task: 'regression').",
        );
      }
      ys[i] = v;
      max = Math.max(max, v);
    });
    return { xs, xShape: [f], ys, yShape: [], size: n, numClasses: max + 1 };
  }
  const classNames: string[] = [];
  rawLabels.forEach((l, i) => {
    let c = classNames.indexOf(l);
    if (c < 0) c = classNames.push(l) - 1;
    ys[i] = c;
  });
  return { xs, xShape: [f], ys, yShape: [], size: n, numClasses: classNames.length, classNames };
}

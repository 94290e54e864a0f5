import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { SamConfigError } from "@sam/core";
import { type Plot, type PngOptions, renderPng } from "./plot";

/**
 * Writes a plot as `<path>.svg` and `<path>.png` (creating the folder), and its spec as
 * `<path>.vl.json` so a notebook can re-render it. Returns the three paths.
 *
 * @example
 * ```ts
 * import { captureState, interpolate, interpolationPlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
 *
 * const init = captureState(params);
 * await model.fit(x, y, { epochs: 10 });
 * const result = await interpolate({ params, from: init, to: captureState(params), evaluate: lossFn });
 * const files = await writePlot(interpolationPlot(result), "out/interpolation");
 * files.png; // "out/interpolation.png"
 * ```
 */
export async function writePlot(
  plot: Plot,
  pathWithoutExt: string,
  options: PngOptions = {},
): Promise<{ svg: string; png: string; spec: string }> {
  if (!plot || typeof plot.svg !== "function") {
    throw new SamConfigError(`writePlot got ${typeof plot}: pass a Plot, e.g. interpolationPlot(result).`);
  }
  if (
    typeof pathWithoutExt !== "string" ||
    pathWithoutExt.length === 0 ||
    /\.(svg|png)$/i.test(pathWithoutExt)
  ) {
    throw new SamConfigError(
      `writePlot path is ${JSON.stringify(pathWithoutExt)}: pass a path without extension, e.g. "out/curve" (".svg" and ".png" are added).`,
    );
  }
  const svg = await plot.svg();
  const png = await renderPng(svg, options);
  await mkdir(dirname(pathWithoutExt), { recursive: true });
  const files = {
    svg: `${pathWithoutExt}.svg`,
    png: `${pathWithoutExt}.png`,
    spec: `${pathWithoutExt}.vl.json`,
  };
  await Promise.all([
    writeFile(files.svg, svg),
    writeFile(files.png, png),
    writeFile(files.spec, JSON.stringify(plot.spec, null, 1)),
  ]);
  return files;
}

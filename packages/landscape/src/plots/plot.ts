import { SamConfigError } from "@sam/core";

/** A Vega-Lite specification (plain JSON), for a notebook, a web page or {@link Plot.svg}. */
export type VegaLiteSpec = Record<string, unknown>;

/** Options of {@link Plot.png}. */
export interface PngOptions {
  /** Zoom factor over the SVG's size. Default 2. */
  readonly scale?: number;
  /** Font files to use instead of the system fonts (for font-less images). */
  readonly fontFiles?: readonly string[];
}

/**
 * A plot: its Vega-Lite spec, and headless renderers. Rendering needs the optional peers
 * `vega`, `vega-lite` (SVG) and `@resvg/resvg-js` (PNG); the spec alone needs nothing.
 *
 * @example
 * ```ts
 * import { interpolationPlot } from "@sam/landscape";
 *
 * const plot = interpolationPlot(result);
 * const svg = await plot.svg();   // string
 * const png = await plot.png();   // Uint8Array
 * ```
 */
export interface Plot {
  /** The Vega-Lite spec (plain JSON). */
  readonly spec: VegaLiteSpec;
  /** Renders to an SVG string (vega-lite -> vega -> SVG, no browser). */
  svg(): Promise<string>;
  /** Renders to PNG bytes (the SVG rasterised by resvg). */
  png(options?: PngOptions): Promise<Uint8Array>;
}

interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (
    runtime: unknown,
    options: { renderer: string },
  ) => { toSVG(): Promise<string>; finalize(): void };
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}
interface ResvgModule {
  Resvg: new (svg: string, options: unknown) => { render(): { asPng(): Uint8Array } };
}

const INSTALL = "npm i vega@^6.4.0 vega-lite@^6.4.3 @resvg/resvg-js@^2.6.2";

async function load<T>(name: string): Promise<T> {
  try {
    // vega 6 and vega-lite 6 are ESM-only with top-level await: `require` cannot load them,
    // a dynamic import can (from ESM and from CJS alike).
    return (await import(name)) as T;
  } catch (e) {
    throw new SamConfigError(
      `Rendering a plot needs the optional peer dependency "${name}", which could not be loaded (${(e as Error).message}). ` +
        `Install the plotting peers (${INSTALL}), or use plot.spec with your own renderer.`,
    );
  }
}

/** Renders a Vega-Lite spec to SVG, headless. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vl = await load<VegaLiteModule>("vega-lite");
  const vega = await load<VegaModule>("vega");
  // vega tags the data objects it ingests (Symbol(vega_id)): render a copy so the spec stays plain.
  const copy = JSON.parse(JSON.stringify(spec)) as VegaLiteSpec;
  const view = new vega.View(vega.parse(vl.compile(copy).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG string to PNG bytes with resvg. */
export async function renderPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await load<ResvgModule>("@resvg/resvg-js");
  const scale = options.scale ?? 2;
  if (!(scale > 0))
    throw new SamConfigError(`png scale is ${scale}: it must be a positive zoom factor such as 2.`);
  const font = options.fontFiles
    ? { fontFiles: [...options.fontFiles], loadSystemFonts: false }
    : { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" };
  const bytes = new Resvg(svg, { fitTo: { mode: "zoom", value: scale }, font, background: "white" })
    .render()
    .asPng();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Wraps a Vega-Lite spec as a {@link Plot}.
 *
 * @example
 * ```ts
 * import { makePlot, writePlot } from "@sam/landscape";
 *
 * const plot = makePlot({ mark: "line", data: { values: [{ x: 0, y: 1 }, { x: 1, y: 0 }] },
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 * await writePlot(plot, "out/line"); // out/line.svg and out/line.png
 * ```
 */
export function makePlot(spec: VegaLiteSpec): Plot {
  return {
    spec,
    svg: () => renderSvg(spec),
    png: async (options) => renderPng(await renderSvg(spec), options),
  };
}

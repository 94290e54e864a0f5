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
 * `vega`, `vega-lite` (SVG, in Node and in a browser) and `@resvg/resvg-js` (PNG, Node only); the
 * spec alone needs nothing. `writePlot` (from `@sam/landscape/node`) writes the files.
 *
 * @example
 * ```ts
 * import { captureState, interpolate, interpolationPlot } from "@sam/landscape";
 *
 * const init = captureState(params);
 * await model.fit(x, y, { epochs: 10 });
 * const result = await interpolate({ params, from: init, to: captureState(params), evaluate: lossFn });
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

function missingPeer(name: string, e: unknown): SamConfigError {
  return new SamConfigError(
    `Rendering a plot needs the optional peer dependency "${name}", which could not be loaded (${(e as Error).message}). ` +
      `Install the plotting peers (${INSTALL}), or use plot.spec with your own renderer.`,
  );
}

/**
 * vega-lite and vega by literal specifiers inside `try`: bundlers (esbuild, vite) find and bundle
 * them for the browser when installed, and still bundle a project without them. vega 6 and
 * vega-lite 6 are ESM-only with top-level await: `require` cannot load them, a dynamic import can
 * (from ESM and from CJS alike).
 */
async function loadVega(): Promise<{ vl: VegaLiteModule; vega: VegaModule }> {
  let vl: VegaLiteModule;
  try {
    vl = (await import("vega-lite")) as unknown as VegaLiteModule;
  } catch (e) {
    throw missingPeer("vega-lite", e);
  }
  try {
    return { vl, vega: (await import("vega")) as unknown as VegaModule };
  } catch (e) {
    throw missingPeer("vega", e);
  }
}

/**
 * resvg is a Node addon: a computed specifier, so that bundlers for the browser leave it out
 * (`png()` then says it needs Node).
 */
async function loadResvg(): Promise<ResvgModule> {
  const name = "@resvg/resvg-js";
  try {
    return (await import(/* @vite-ignore */ name)) as ResvgModule;
  } catch (e) {
    throw missingPeer(name, e);
  }
}

/** Renders a Vega-Lite spec to SVG, headless. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vl, vega } = await loadVega();
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
  const { Resvg } = await loadResvg();
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
 * import { makePlot } from "@sam/landscape";
 * import { writePlot } from "@sam/landscape/node";
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

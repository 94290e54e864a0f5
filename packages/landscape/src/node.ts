/**
 * @packageDocumentation
 * `@sam/landscape/node`: the Node-only part of `@sam/landscape`: `writePlot` writes a plot's
 * SVG, PNG (resvg) and Vega-Lite spec files. Everything else is in the main entry, which bundles
 * for the browser.
 */

export { writePlot } from "./plots/writePlot";

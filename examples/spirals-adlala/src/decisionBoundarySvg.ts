/**
 * One decision-boundary panel (SVG elements): the classifier's probability on a grid as
 * coloured cells (blue = class 0, orange = class 1; the 0.5 contour is the colour change) and
 * the points on top. Compose panels with {@link decisionBoundarySvg}.
 */
export function decisionBoundaryPanel(options: {
  title: string;
  /** Probabilities of class 1 on a `resolution x resolution` grid over [-extent, extent]^2, row-major from the top. */
  grid: Float32Array;
  resolution: number;
  extent: number;
  points: { x: Float32Array; y: Float32Array };
  size?: number;
}): string {
  const { title, grid, resolution, extent, points } = options;
  const size = options.size ?? 360;
  const cell = size / resolution;
  const toPx = (v: number) => ((v + extent) / (2 * extent)) * size;
  const mix = (p: number) => {
    // Light blue (p = 0) to light orange (p = 1).
    const a = [198, 219, 239];
    const b = [253, 208, 162];
    const c = a.map((v, i) => Math.round(v + (b[i]! - v) * p));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  };
  // Cells quantized to 8 shades per class and merged into horizontal runs (keeps the file small).
  const level = (p: number) => Math.min(15, Math.floor(p * 16));
  const cells: string[] = [];
  for (let r = 0; r < resolution; r++) {
    let c = 0;
    while (c < resolution) {
      const l = level(grid[r * resolution + c]!);
      let end = c + 1;
      while (end < resolution && level(grid[r * resolution + end]!) === l) end++;
      const p = (l + 0.5) / 16;
      const shade = p > 0.5 ? 0.55 + 0.45 * p : 0.45 * p;
      cells.push(
        `<rect x="${(c * cell).toFixed(1)}" y="${(r * cell).toFixed(1)}" width="${((end - c) * cell + 0.4).toFixed(1)}" height="${(cell + 0.4).toFixed(1)}" fill="${mix(shade)}"/>`,
      );
      c = end;
    }
  }
  const dots: string[] = [];
  for (let i = 0; i < points.y.length; i++) {
    const px = toPx(points.x[2 * i]!);
    const py = size - toPx(points.x[2 * i + 1]!);
    dots.push(
      `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="1.6" fill="${points.y[i]! > 0.5 ? "#d94801" : "#2171b5"}"/>`,
    );
  }
  return [
    `<text x="${size / 2}" y="16" text-anchor="middle" font-family="sans-serif" font-size="13">${title}</text>`,
    `<g transform="translate(0,24)">`,
    ...cells,
    ...dots,
    "</g>",
  ].join("\n");
}

/**
 * Panels side by side in one SVG document.
 *
 * @example
 * ```ts
 * writeFileSync("boundaries.svg", decisionBoundarySvg([panelA, panelB], 360));
 * ```
 */
export function decisionBoundarySvg(panels: readonly string[], size = 360): string {
  const gap = 16;
  const width = panels.length * size + (panels.length - 1) * gap;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${size + 24}" viewBox="0 0 ${width} ${size + 24}">`,
    ...panels.map((p, i) => `<g transform="translate(${i * (size + gap)},0)">\n${p}\n</g>`),
    "</svg>",
  ].join("\n");
}

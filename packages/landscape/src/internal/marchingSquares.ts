/** One contour segment between two points, at one level. */
export interface ContourSegment {
  level: number;
  x: number;
  y: number;
  x2: number;
  y2: number;
}

/**
 * Contour segments of a grid z[j][i] sampled at (xs[i], ys[j]) by marching squares: in
 * every cell, each edge whose end values straddle the level gets a crossing point by
 * linear interpolation; two crossings make a segment, four (a saddle) make two, paired by
 * the value at the cell centre. Cells with a missing (`null`) corner are skipped.
 */
export function marchingSquares(
  xs: readonly number[],
  ys: readonly number[],
  z: readonly (readonly (number | null)[])[],
  levels: readonly number[],
): ContourSegment[] {
  const out: ContourSegment[] = [];
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) {
      const corners = [
        [xs[i]!, ys[j]!, z[j]![i]],
        [xs[i + 1]!, ys[j]!, z[j]![i + 1]],
        [xs[i + 1]!, ys[j + 1]!, z[j + 1]![i + 1]],
        [xs[i]!, ys[j + 1]!, z[j + 1]![i]],
      ] as const;
      if (corners.some((c) => c[2] === null || c[2] === undefined)) continue;
      for (const level of levels) {
        const pts: [number, number][] = [];
        for (let e = 0; e < 4; e++) {
          const [xa, ya, za] = corners[e]!;
          const [xb, yb, zb] = corners[(e + 1) % 4]!;
          const da = (za as number) - level;
          const db = (zb as number) - level;
          if ((da < 0 && db >= 0) || (da >= 0 && db < 0)) {
            const t = da / (da - db);
            pts.push([xa + t * (xb - xa), ya + t * (yb - ya)]);
          }
        }
        if (pts.length === 2)
          out.push({ level, x: pts[0]![0], y: pts[0]![1], x2: pts[1]![0], y2: pts[1]![1] });
        else if (pts.length === 4) {
          const centre = corners.reduce((s, c) => s + (c[2] as number), 0) / 4;
          const pair = centre >= level === (corners[0][2] as number) >= level ? [1, 2, 3, 0] : [0, 1, 2, 3];
          out.push({
            level,
            x: pts[pair[0]!]![0],
            y: pts[pair[0]!]![1],
            x2: pts[pair[1]!]![0],
            y2: pts[pair[1]!]![1],
          });
          out.push({
            level,
            x: pts[pair[2]!]![0],
            y: pts[pair[2]!]![1],
            x2: pts[pair[3]!]![0],
            y2: pts[pair[3]!]![1],
          });
        }
      }
    }
  }
  return out;
}

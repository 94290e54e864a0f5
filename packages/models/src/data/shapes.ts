import { createRng } from "@sam/core";
import type { Dataset } from "./dataset";

/**
 * The two shape families of {@link shapes}. Task A and task B share the low-level features
 * (edges, corners, curvature, colour contrast) but not the classes, so a backbone pretrained on
 * one transfers to the other.
 *
 * @example
 * ```ts
 * SHAPE_FAMILIES.B[1]; // 'frame'
 * ```
 */
export const SHAPE_FAMILIES = {
  A: ["disc", "square", "triangle", "plus", "diamond"],
  B: ["ring", "frame", "triangle_down", "x_cross", "ellipse"],
} as const;

type ShapeName = (typeof SHAPE_FAMILIES)[keyof typeof SHAPE_FAMILIES][number];

/**
 * Whether the point `(u, v)` (pixel offset from the shape's centre divided by its radius; `v`
 * grows downwards) lies inside the shape.
 */
function inside(shape: ShapeName, u: number, v: number): boolean {
  const au = Math.abs(u);
  const av = Math.abs(v);
  switch (shape) {
    case "disc":
      return u * u + v * v <= 1;
    case "square":
      return au <= 0.8 && av <= 0.8;
    case "triangle": // apex up at v = -0.9, base at v = 0.8
      return v <= 0.8 && v >= -0.9 && au <= ((v + 0.9) / 1.7) * 0.95;
    case "plus":
      return (au <= 0.3 && av <= 1) || (av <= 0.3 && au <= 1);
    case "diamond":
      return au + av <= 1;
    case "ring": {
      const r2 = u * u + v * v;
      return r2 <= 1 && r2 >= 0.3;
    }
    case "frame": {
      const m = Math.max(au, av);
      return m <= 0.85 && m >= 0.45;
    }
    case "triangle_down":
      return v >= -0.8 && v <= 0.9 && au <= ((0.9 - v) / 1.7) * 0.95;
    case "x_cross":
      return au <= 0.9 && av <= 0.9 && (Math.abs(u - v) <= 0.4 || Math.abs(u + v) <= 0.4);
    case "ellipse":
      return u * u + 4 * v * v <= 1;
  }
}

/** Options of {@link shapes}. */
export interface ShapesOptions {
  /** Number of images (classes are balanced: image `i` has class `i mod numClasses`). */
  n: number;
  /** Which family of shapes: `'A'` (disc, square, triangle, plus, diamond) or `'B'` (ring, frame, triangle_down, x_cross, ellipse). Default `'A'`. */
  task?: "A" | "B";
  /** Number of classes, 2..5: the first `numClasses` shapes of the family. Default 5. */
  numClasses?: number;
  /** Image side in pixels (>= 8; 16 and 32 are typical). Default 16. */
  size?: number;
  /** Standard deviation of additive Gaussian pixel noise (values then clipped to [0, 1]). Default 0.05. */
  noise?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/**
 * A procedural image-classification data set for transfer-learning experiments: RGB images of
 * one shape each, at a random position and radius (`0.25..0.45` of the side), with a random
 * foreground and background colour (mean channel contrast >= 0.3), plus pixel noise. Task `'A'`
 * and task `'B'` use different shape families (see {@link SHAPE_FAMILIES}), so pretraining on A
 * and fine-tuning on B is a small, fast analogue of ImageNet -> CIFAR transfer.
 *
 * Generated with typed arrays only (no tensors): 1,000 images of 32x32 take a few milliseconds.
 *
 * @param options - See {@link ShapesOptions}.
 * @returns A classification {@link Dataset}: `xShape = [size, size, 3]`, float32 in [0, 1],
 *   `classNames` = the shape names.
 * @throws If `numClasses` is not in 2..5 or `size` < 8.
 *
 * @example
 * ```ts
 * const pretrain = shapes({ n: 2000, task: 'A', size: 16, seed: 1 });
 * const finetune = shapes({ n: 200, task: 'B', size: 16, seed: 2 });
 * ```
 */
export function shapes(options: ShapesOptions): Dataset {
  const { n, task = "A", numClasses = 5, size = 16, noise = 0.05, seed = 1 } = options;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`shapes: n must be a positive integer, got ${n}.`);
  if (task !== "A" && task !== "B") throw new Error(`shapes: task must be 'A' or 'B', got '${task}'.`);
  if (!Number.isInteger(numClasses) || numClasses < 2 || numClasses > 5) {
    throw new Error(`shapes: numClasses must be an integer in 2..5, got ${numClasses}.`);
  }
  if (!Number.isInteger(size) || size < 8)
    throw new Error(`shapes: size must be an integer >= 8, got ${size}.`);
  const family = SHAPE_FAMILIES[task].slice(0, numClasses) as ShapeName[];
  const rng = createRng(seed);
  const px = size * size * 3;
  const xs = new Float32Array(n * px);
  const ys = new Int32Array(n);
  const fg = [0, 0, 0];
  const bg = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const label = i % numClasses;
    ys[i] = label;
    let contrast = 0;
    while (contrast < 0.3) {
      for (let c = 0; c < 3; c++) {
        fg[c] = rng.uniform();
        bg[c] = rng.uniform();
      }
      contrast = (Math.abs(fg[0]! - bg[0]!) + Math.abs(fg[1]! - bg[1]!) + Math.abs(fg[2]! - bg[2]!)) / 3;
    }
    const r = (0.25 + 0.2 * rng.uniform()) * size;
    const cx = r + rng.uniform() * (size - 2 * r);
    const cy = r + rng.uniform() * (size - 2 * r);
    const shape = family[label]!;
    const base = i * px;
    for (let y = 0; y < size; y++) {
      const v = (y + 0.5 - cy) / r;
      for (let x = 0; x < size; x++) {
        const col = inside(shape, (x + 0.5 - cx) / r, v) ? fg : bg;
        const o = base + (y * size + x) * 3;
        for (let c = 0; c < 3; c++) {
          const val = col[c]! + (noise > 0 ? noise * rng.normal() : 0);
          xs[o + c] = val < 0 ? 0 : val > 1 ? 1 : val;
        }
      }
    }
  }
  return { xs, xShape: [size, size, 3], ys, yShape: [], size: n, numClasses, classNames: [...family] };
}

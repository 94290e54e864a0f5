import * as tfc from "@tensorflow/tfjs-core";
import { createRng, type Rng } from "@sam/core";

/** Options of {@link augmentImages}. */
export interface AugmentOptions {
  /** Zero padding on each side before the random crop (CIFAR recipe: 4). Default 4; 0 disables cropping. */
  padding?: number;
  /** Random horizontal flip with probability 1/2. Default true. */
  flip?: boolean;
  /** Seed or generator; pass e.g. `seed + step` (or one {@link Rng} for the run) for fresh draws per batch. */
  seed: number | Rng;
}

/**
 * The standard CIFAR augmentation (He et al. 2016): zero-pad each image by `padding`, take a random
 * `H x W` crop, and flip it horizontally with probability 1/2. Offsets and flips are drawn in JS
 * from the seeded generator; the whole batch is then one `tf.image.cropAndResize` with
 * nearest-neighbour sampling on exact pixel boxes (a flipped box, `x1 > x2`, mirrors the crop),
 * so it is exact and costs one op, with no per-example slices.
 *
 * @param images - `[batch, H, W, C]` float32, `H, W >= 2`.
 * @param options - See {@link AugmentOptions}.
 * @returns A new `[batch, H, W, C]` tensor (the caller owns it); no other tensor survives.
 *
 * @example
 * ```ts
 * const train = shapes({ n: 2000, size: 16, seed: 1 });
 * const rng = createRng(1);
 * for (let epoch = 0; epoch < 5; epoch++) {
 *   for (const { xs, ys } of batches(train, { batchSize: 128, epoch })) {
 *     const aug = augmentImages(xs as tf.Tensor4D, { padding: 4, flip: true, seed: rng });
 *     // ... train on aug
 *     tf.dispose([xs, ys, aug]);
 *   }
 * }
 * ```
 */
export function augmentImages(images: tfc.Tensor4D, options: AugmentOptions): tfc.Tensor4D {
  const { padding = 4, flip = true } = options;
  if (images.rank !== 4) {
    throw new Error(
      `augmentImages: images must be [batch, H, W, C], got shape ${JSON.stringify(images.shape)}.`,
    );
  }
  if (!Number.isInteger(padding) || padding < 0) {
    throw new Error(`augmentImages: padding must be an integer >= 0, got ${padding}.`);
  }
  const [b, h, w] = images.shape;
  if (h < 2 || w < 2) throw new Error(`augmentImages: images must be at least 2x2, got ${h}x${w}.`);
  const rng = typeof options.seed === "number" ? createRng(options.seed) : options.seed;
  const hp = h + 2 * padding;
  const wp = w + 2 * padding;
  // Box coordinates are normalized by (size - 1), so pixel k of the padded image sits at k / (size - 1).
  const boxes = new Float32Array(b * 4);
  for (let i = 0; i < b; i++) {
    const oy = rng.int(2 * padding + 1);
    const ox = rng.int(2 * padding + 1);
    const mirror = flip && rng.uniform() < 0.5;
    boxes[4 * i] = oy / (hp - 1);
    boxes[4 * i + 2] = (oy + h - 1) / (hp - 1);
    boxes[4 * i + (mirror ? 3 : 1)] = ox / (wp - 1);
    boxes[4 * i + (mirror ? 1 : 3)] = (ox + w - 1) / (wp - 1);
  }
  return tfc.tidy(() => {
    const padded =
      padding > 0
        ? tfc.pad(images, [
            [0, 0],
            [padding, padding],
            [padding, padding],
            [0, 0],
          ])
        : images;
    const boxInd = tfc.tensor1d(
      Array.from({ length: b }, (_, i) => i),
      "int32",
    );
    return tfc.image.cropAndResize(padded, tfc.tensor2d(boxes, [b, 4]), boxInd, [h, w], "nearest");
  });
}

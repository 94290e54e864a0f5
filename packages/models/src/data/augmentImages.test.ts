import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { augmentImages } from "./augmentImages";
import { createRng } from "@sam/core";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("augmentImages", () => {
  // Image b, pixel (y, x), channel c has the value 1 + 100 b + 10 y + x + 0.5 c (never 0, so padding shows).
  const [B, H, W] = [8, 4, 5];
  const value = (b: number, y: number, x: number, c: number) => 1 + 100 * b + 10 * y + x + 0.5 * c;
  const images = () =>
    tf.tensor4d(
      Array.from({ length: B * H * W * 2 }, (_, i) => {
        const c = i % 2;
        const x = Math.floor(i / 2) % W;
        const y = Math.floor(i / (2 * W)) % H;
        const b = Math.floor(i / (2 * W * H));
        return value(b, y, x, c);
      }),
      [B, H, W, 2],
    );

  it("equals pad + crop at the drawn offsets + optional mirror, exactly", () => {
    const x = images();
    const out = augmentImages(x, { padding: 2, seed: 5 }).arraySync();
    // Replay the same draws.
    const rng = createRng(5);
    let mirrored = 0;
    for (let b = 0; b < B; b++) {
      const oy = rng.int(5);
      const ox = rng.int(5);
      const mirror = rng.uniform() < 0.5;
      mirrored += mirror ? 1 : 0;
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          const sx = mirror ? ox + W - 1 - xx : ox + xx; // column in the padded image
          const [py, px] = [oy + y - 2, sx - 2];
          for (let c = 0; c < 2; c++) {
            const inside = py >= 0 && py < H && px >= 0 && px < W;
            expect(out[b]![y]![xx]![c]).toBe(inside ? value(b, py, px, c) : 0);
          }
        }
      }
    }
    expect(mirrored).toBeGreaterThan(0); // both paths exercised
    expect(mirrored).toBeLessThan(B);
    x.dispose();
  });

  it("padding 0 and no flip is the identity; leaks no tensors", () => {
    const x = images();
    const before = tf.memory().numTensors;
    const y = augmentImages(x, { padding: 0, flip: false, seed: 1 });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(y.arraySync()).toEqual(x.arraySync());
    tf.dispose([x, y]);
    expect(() => augmentImages(tf.zeros([2, 2, 2]) as unknown as tf.Tensor4D, { seed: 1 })).toThrow(
      /must be \[batch, H, W, C\]/,
    );
  });

  it("different seeds give different crops; an Rng continues its stream", () => {
    const x = images();
    const rng = createRng(9);
    const a = augmentImages(x, { seed: rng });
    const b = augmentImages(x, { seed: rng });
    expect(a.arraySync()).not.toEqual(b.arraySync());
    tf.dispose([x, a, b]);
  });
});

import { describe, expect, it } from "vitest";
import { createRng } from "./createRng";
import { seedFor } from "./seedFor";
import { seedHash } from "./seedHash";

describe("seedHash", () => {
  it("gives the seeds @sam/models derived before it (its deriveSeed, bit for bit)", () => {
    // values of models' former internal/seeds.ts deriveSeed(seed, index)
    expect(seedHash(42, 3)).toBe(1120625313);
    expect(seedHash(1, 0)).toBe(1807818735);
  });

  it("is what seedFor computes, over (seed, step, param index, stream)", () => {
    expect(seedFor(7, 0, 0, 0)).toBe(291016176);
    expect(seedFor(1, 2, 3, 4)).toBe(seedHash(1, 2, 3, 4));
    expect(seedHash(1, 2, 3, 4)).toBe(17974996);
    expect(seedFor(7, 0, 0)).toBe(seedHash(7, 0, 0, 0));
  });

  it("never returns 0 or leaves [1, 2^31 - 1], and separates neighbouring words", () => {
    const seen = new Set<number>();
    for (let seed = -20; seed < 20; seed++) {
      for (let w = 0; w < 50; w++) {
        const s = seedHash(seed, w);
        expect(Number.isInteger(s) && s >= 1 && s <= 0x7fffffff).toBe(true);
        seen.add(s);
      }
    }
    expect(seen.size).toBe(40 * 50);
    expect(seedHash(0)).toBe(1); // seed 0 alone hashes to 0 before the +1: still a valid tfjs seed
  });
});

describe("createRng", () => {
  it("draws the stream @sam/models' createRng drew (uniform, normal, permutation)", () => {
    const rng = createRng(42);
    expect(rng.uniform()).toBe(0.7859646556898952);
    expect(rng.uniform()).toBe(0.38199959183111787);
    expect(rng.normal()).toBe(0.16568544765585558);
    expect(rng.int(10)).toBe(6);
    expect(Array.from(createRng(42).permutation(6))).toEqual([2, 5, 3, 0, 1, 4]);
  });

  it("gives N(0, 1) normals, fair signs and permutations", () => {
    const rng = createRng(5);
    const n = 20000;
    const z = rng.normalVector(n);
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n)); // 4 standard errors
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    const signs = rng.rademacherVector(n);
    expect(signs.every((s) => s === 1 || s === -1)).toBe(true);
    expect(Math.abs(signs.reduce((a, b) => a + b, 0) / n)).toBeLessThan(4 / Math.sqrt(n));
    expect([...rng.permutation(50)].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const tfSeed = rng.tfSeed();
    expect(tfSeed >= 1 && tfSeed <= 0x7fffffff).toBe(true);
  });

  it("repeats itself for a seed and rejects a non-integer seed with the fix", () => {
    expect(Array.from(createRng(3).normalVector(5))).toEqual(Array.from(createRng(3).normalVector(5)));
    expect(createRng(3).uniform()).not.toBe(createRng(4).uniform());
    expect(() => createRng(1.5)).toThrow(
      "createRng: seed is 1.5: it must be an integer. Pass e.g. createRng(1).",
    );
  });
});

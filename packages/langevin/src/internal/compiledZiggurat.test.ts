import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compiledGaussianArray } from "./compiledZiggurat";
import { gaussianArrayReference } from "./zigguratReference";
import { ZIGGURAT_WASM } from "./zigguratWasm";

/** The index of the first element where a and b differ bit for bit (-1 when none). */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

describe("the compiled ziggurat", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("embeds the bytes its SHA-256 names (kernels-c/build.mjs wrote both)", () => {
    const bytes = Buffer.from(ZIGGURAT_WASM.base64, "base64");
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(ZIGGURAT_WASM.sha256);
  });

  it("gives the JavaScript reference's numbers bit for bit (seeds, sizes, scales)", () => {
    // 200k draws per seed reach the tail (iz = 0, about 1 draw in 400) and every wedge many times
    for (const seed of [0, 1, 42, 123456789, 0xffffffff, -5, 2 ** 40 + 3])
      for (const [size, stddev] of [
        [0, 1],
        [1, 1],
        [7, 0.3],
        [200_003, 1],
        [1000, 1e-3],
      ] as const) {
        const compiled = compiledGaussianArray(size, seed, stddev);
        expect(compiled).toBeInstanceOf(Float32Array);
        expect(firstDifference(compiled!, gaussianArrayReference(size, seed, stddev))).toBe(-1);
      }
  });

  it("returns a fresh array: a later draw does not overwrite an earlier one", () => {
    const first = compiledGaussianArray(1000, 1, 1)!;
    const copy = first.slice();
    compiledGaussianArray(5000, 2, 1);
    expect(firstDifference(first, copy)).toBe(-1);
  });

  it("is undefined without WebAssembly (gaussianArray then runs the reference)", async () => {
    vi.resetModules();
    vi.stubGlobal("WebAssembly", undefined);
    const fresh = await import("./compiledZiggurat");
    expect(fresh.compiledGaussianArray(10, 1, 1)).toBeUndefined();
    const { gaussianArray } = await import("../noiseSource");
    expect(firstDifference(gaussianArray(10, 1, 1), gaussianArrayReference(10, 1, 1))).toBe(-1);
  });
});

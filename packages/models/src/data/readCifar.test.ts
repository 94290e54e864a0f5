import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCifar } from "./parseCifar";
import { readCifar } from "./readCifar";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sam-models-cifar-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One record: label bytes, then R, G, B planes with R = p mod 256, G = 1, B = 2 (+ tag). */
function record(labels: number[], tag: number): Uint8Array {
  const r = new Uint8Array(labels.length + 3072);
  r.set(labels);
  for (let p = 0; p < 1024; p++) {
    r[labels.length + p] = p % 256;
    r[labels.length + 1024 + p] = 1;
    r[labels.length + 2048 + p] = 2 + tag;
  }
  return r;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe("CIFAR binary reader", () => {
  it("reads CIFAR-10 batches from files, planar -> NHWC", async () => {
    await writeFile(join(dir, "b1.bin"), concat([record([3], 0), record([9], 1)]));
    await writeFile(join(dir, "b2.bin"), record([0], 2));
    const ds = await readCifar([join(dir, "b1.bin"), join(dir, "b2.bin")]);
    expect(ds.size).toBe(3);
    expect(Array.from(ds.ys)).toEqual([3, 9, 0]);
    expect(ds.numClasses).toBe(10);
    // pixel (row 0, col 5) of image 1: R = 5, G = 1, B = 3.
    const o = 1 * 3072 + 5 * 3;
    expect(Array.from(ds.xs.subarray(o, o + 3)).map((v) => Math.round(v * 255))).toEqual([5, 1, 3]);
    expect((await readCifar(join(dir, "b1.bin"), { limit: 1 })).size).toBe(1);
  });

  it("reads CIFAR-100 fine and coarse labels", () => {
    const bytes = concat([record([4, 77], 0), record([19, 99], 0)]);
    expect(Array.from(parseCifar(bytes, { variant: "cifar100" }).ys)).toEqual([77, 99]);
    const coarse = parseCifar(bytes, { variant: "cifar100", labels: "coarse" });
    expect(Array.from(coarse.ys)).toEqual([4, 19]);
    expect(coarse.numClasses).toBe(20);
  });

  it("rejects truncated files and out-of-range labels with the fix", () => {
    const two = concat([record([3], 0), record([9], 1)]);
    expect(() => parseCifar(two.subarray(0, 5000))).toThrow(
      /5000 bytes, not a whole number of 3073-byte cifar10 records \(1 records \+ 1927 bytes\): the file is truncated/,
    );
    expect(() => parseCifar(concat([record([10], 0)]))).toThrow(
      /record 0 .* has label 10, outside \[0, 10\)/,
    );
    expect(() => parseCifar(concat([record([1, 100], 0)]), { variant: "cifar100" })).toThrow(
      /label 100, outside \[0, 100\) for cifar100 \(fine\)/,
    );
  });
});

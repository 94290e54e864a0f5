import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIdx } from "./parseIdx";
import { readIdx, readMnist } from "./readIdx";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sam-models-idx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An IDX file: magic [0, 0, type, ndim], big-endian dims, then `body`. */
function idx(type: number, shape: number[], body: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(head.buffer);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** Two 2x3 images with pixel values 0..11, labels [7, 2]. */
const images = idx(
  0x08,
  [2, 2, 3],
  Uint8Array.from({ length: 12 }, (_, i) => i * 20),
);
const labels = idx(0x08, [2], Uint8Array.from([7, 2]));

describe("IDX / MNIST readers", () => {
  it("reads MNIST-format files, plain and gzipped, from disk", async () => {
    await writeFile(join(dir, "img"), images);
    await writeFile(join(dir, "lab.gz"), gzipSync(labels));
    const ds = await readMnist({ images: join(dir, "img"), labels: join(dir, "lab.gz") });
    expect(ds.size).toBe(2);
    expect(ds.xShape).toEqual([2, 3, 1]);
    expect(Array.from(ds.ys)).toEqual([7, 2]);
    expect(ds.xs[11]).toBeCloseTo(220 / 255, 7);
    expect(ds.numClasses).toBe(10);
  });

  it("decodes big-endian multi-byte types", () => {
    const body = new Uint8Array(8);
    new DataView(body.buffer).setInt32(0, -5, false);
    new DataView(body.buffer).setInt32(4, 70000, false);
    const a = parseIdx(idx(0x0c, [2], body));
    expect(a.dtype).toBe("int32");
    expect(Array.from(a.data)).toEqual([-5, 70000]);
  });

  it("rejects a wrong magic number, truncation, swapped files and bad labels", async () => {
    const bad = Uint8Array.from(images);
    bad[0] = 0x1a;
    expect(() => parseIdx(bad)).toThrow(/not an IDX file: magic number bytes are \[1a 00 08 03\]/);
    expect(() => parseIdx(images.subarray(0, images.length - 3))).toThrow(/needs 28: the file is truncated/);
    await expect(readIdx(gzipSync(images).subarray(0, 20))).rejects.toThrow(
      /looks gzipped but cannot be decompressed/,
    );
    await expect(readMnist({ images: labels, labels: images })).rejects.toThrow(
      /Are images and labels swapped/,
    );
    const wrong = idx(0x08, [2], Uint8Array.from([7, 12]));
    await expect(readMnist({ images, labels: wrong })).rejects.toThrow(/label 1 is 12, outside \[0, 10\)/);
    await expect(readMnist({ images, labels: idx(0x08, [3], Uint8Array.from([1, 2, 3])) })).rejects.toThrow(
      /2 images but 3 labels/,
    );
    await expect(readIdx(join(dir, "missing"))).rejects.toThrow(/cannot read '.*missing'/);
  });
});

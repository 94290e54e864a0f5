import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadDataset, untar } from "./downloadDataset";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sam-models-dl-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A ustar archive of regular files (header: name, octal size, typeflag '0'). */
function tar(files: [string, Uint8Array][]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of files) {
    const h = new Uint8Array(512);
    h.set(Buffer.from(name), 0);
    h.set(Buffer.from(`${data.length.toString(8).padStart(11, "0")}\0`), 124);
    h[156] = "0".charCodeAt(0);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

describe("downloadDataset (no network: injected fetch)", () => {
  it("fails offline with the URL and the manual steps", async () => {
    const offline = async () => {
      throw new Error("getaddrinfo ENOTFOUND www.cs.toronto.edu");
    };
    const err = await downloadDataset("cifar10", join(dir, "c10"), { fetch: offline }).catch((e: Error) => e);
    const msg = (err as Error).message;
    expect(msg).toMatch(
      /could not download https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz/,
    );
    expect(msg).toMatch(/ENOTFOUND/);
    expect(msg).toMatch(/Manual steps:[\s\S]*tar xzf cifar-10-binary\.tar\.gz[\s\S]*data_batch_1\.bin/);
    const notFound = async () => ({ ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) });
    await expect(downloadDataset("mnist", join(dir, "m"), { fetch: notFound })).rejects.toThrow(/HTTP 404/);
  });

  it("extracts the wanted files of a tar.gz flat into dir, then skips the download", async () => {
    const names = [
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "test_batch.bin",
    ];
    const archive = gzipSync(
      tar([
        ["cifar-10-batches-bin/readme.html", Buffer.from("x")],
        ...names.map((n, i): [string, Uint8Array] => [
          `cifar-10-batches-bin/${n}`,
          new Uint8Array(600).fill(i),
        ]),
      ]),
    );
    let calls = 0;
    const fake = async () => {
      calls++;
      return {
        ok: true,
        status: 200,
        arrayBuffer: async () =>
          archive.buffer.slice(archive.byteOffset, archive.byteOffset + archive.byteLength),
      };
    };
    const target = join(dir, "cifar");
    const files = await downloadDataset("cifar10", target, { fetch: fake });
    expect(files).toEqual(names.map((n) => join(target, n)));
    expect(Array.from(await readFile(files[5]!)).slice(0, 3)).toEqual([5, 5, 5]);
    await downloadDataset("cifar10", target, { fetch: fake });
    expect(calls).toBe(1);
    expect([...untar(tar([["a", Uint8Array.from([1, 2])]]))].map(([n, d]) => [n, Array.from(d)])).toEqual([
      ["a", [1, 2]],
    ]);
  });
});

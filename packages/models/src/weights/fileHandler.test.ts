import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlp } from "../models/mlp";
import { fileHandler } from "./fileHandler";
import { loadWeights } from "./loadWeights";
import { saveWeights } from "./saveWeights";

let root: string;
let ckpt: string;
let bytes: number;
beforeAll(async () => {
  await tf.setBackend("cpu");
  root = await mkdtemp(join(tmpdir(), "sam-models-paths-"));
  ckpt = join(root, "ckpt");
  bytes = (await saveWeights(mlp({ inputDim: 3, widths: [4], outputDim: 2, seed: 1 }), ckpt)).bytes;
  // A file outside the checkpoint with exactly the bytes a shard needs: loading it would succeed.
  await writeFile(join(root, "secret.bin"), new Uint8Array(bytes).fill(7));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A copy of the checkpoint in `root/name` whose manifest names `paths` as its shards. */
async function withShardPaths(name: string, paths: string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await copyFile(join(ckpt, "weights.bin"), join(dir, "weights.bin"));
  const json = JSON.parse(await readFile(join(ckpt, "model.json"), "utf8"));
  json.weightsManifest[0].paths = paths;
  await writeFile(join(dir, "model.json"), JSON.stringify(json));
  return dir;
}

const fresh = () => mlp({ inputDim: 3, widths: [4], outputDim: 2, seed: 2 });

describe("fileHandler(dir).load keeps every path inside dir", () => {
  it("loads shard paths that stay inside (./x, a/../x, a symlink to a file inside)", async () => {
    const dir = await withShardPaths("inside", ["./sub/../weights.bin"]);
    await mkdir(join(dir, "sub"));
    const artifacts = await fileHandler(dir).load();
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(bytes);
    const linked = await withShardPaths("inside-link", ["alias.bin"]);
    await symlink(join(linked, "weights.bin"), join(linked, "alias.bin"));
    const model = fresh();
    const report = await loadWeights(model, linked);
    expect(report.loaded.length).toBe(model.weights.length);
  });

  it("refuses '..' escapes, naming the path, and reads nothing", async () => {
    const dir = await withShardPaths("dotdot", ["../secret.bin"]);
    const model = fresh();
    const before = model.weights[0]!.read().dataSync().slice();
    await expect(loadWeights(model, dir)).rejects.toThrow(
      /a weight path in model\.json is "\.\.\/secret\.bin", which leaves /,
    );
    expect(Array.from(model.weights[0]!.read().dataSync())).toEqual(Array.from(before));
    const deep = await withShardPaths("dotdot-deep", ["sub/../../secret.bin"]);
    await expect(fileHandler(deep).load()).rejects.toThrow(/"sub\/\.\.\/\.\.\/secret\.bin", which leaves/);
  });

  it("refuses absolute paths and URLs", async () => {
    const abs = join(root, "secret.bin");
    const dir = await withShardPaths("absolute", [abs]);
    await expect(fileHandler(dir).load()).rejects.toThrow(
      new RegExp(`model\\.json is "${abs.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}", which is absolute`),
    );
    const win = await withShardPaths("windows", ["C:\\secret.bin"]);
    await expect(fileHandler(win).load()).rejects.toThrow(/"C:\\\\secret\.bin", which is absolute/);
    const url = await withShardPaths("url", ["file:///etc/passwd"]);
    await expect(fileHandler(url).load()).rejects.toThrow(/"file:\/\/\/etc\/passwd", which is a URL/);
  });

  it("refuses a symlinked shard, a symlinked folder and a symlinked model.json that lead out", async () => {
    const file = await withShardPaths("link-file", ["w.bin"]);
    await symlink(join(root, "secret.bin"), join(file, "w.bin"));
    await expect(fileHandler(file).load()).rejects.toThrow(
      /"w\.bin", which a symbolic link leads out of/,
    );
    const folder = await withShardPaths("link-folder", ["out/secret.bin"]);
    await symlink(root, join(folder, "out"));
    await expect(fileHandler(folder).load()).rejects.toThrow(/"out\/secret\.bin", which a symbolic link leads out/);
    const json = join(root, "link-json");
    await mkdir(json);
    await copyFile(join(ckpt, "weights.bin"), join(json, "weights.bin"));
    await symlink(join(ckpt, "model.json"), join(json, "model.json"));
    await expect(fileHandler(json).load()).rejects.toThrow(
      /the checkpoint's model\.json is "model\.json", which a symbolic link leads out of/,
    );
  });
});

import { access, mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DATASET_SOURCES, type DatasetName } from "./datasetSources";

/** Options of {@link downloadDataset}. */
export interface DownloadOptions {
  /** The fetch to use (default `globalThis.fetch`); inject one for proxies or tests. */
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/**
 * Downloads a real data set into `dir` for users who are online: CIFAR-10/100 (the binary
 * `.tar.gz`, whose batch files are extracted flat into `dir`) or (Fashion-)MNIST (the four
 * `.gz` IDX files, kept compressed: the readers gunzip). Files already present are not fetched
 * again. Tests and demos never call it; everything else in this package works offline.
 *
 * @param name - `'cifar10'`, `'cifar100'`, `'mnist'` or `'fashion-mnist'`.
 * @param dir - Target directory (created).
 * @param options - See {@link DownloadOptions}.
 * @returns The paths of the data files in `dir` (see {@link DATASET_SOURCES}).
 * @throws When a download fails (e.g. offline), with the URLs and the manual steps.
 *
 * @example
 * ```ts
 * import { downloadDataset, readCifar } from '@sam/models/node';
 *
 * const files = await downloadDataset('cifar10', './data/cifar10');
 * const train = await readCifar(files.filter((f) => f.includes('data_batch')));
 * ```
 */
export async function downloadDataset(
  name: DatasetName,
  dir: string,
  options: DownloadOptions = {},
): Promise<string[]> {
  const source = DATASET_SOURCES[name];
  if (!source) {
    throw new Error(
      `downloadDataset: unknown data set '${name}'; use one of ${Object.keys(DATASET_SOURCES).join(", ")}.`,
    );
  }
  const targets = source.files.map((f) => join(dir, f));
  if (await allExist(targets)) return targets;
  const doFetch = options.fetch ?? (globalThis.fetch as DownloadOptions["fetch"]);
  await mkdir(dir, { recursive: true });
  for (const url of source.urls) {
    let bytes: Uint8Array;
    try {
      if (!doFetch) throw new Error("no fetch available (Node < 18?)");
      const res = await doFetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new Error(manualSteps(name, dir, url, (e as Error).message));
    }
    if (url.endsWith(".tar.gz")) {
      for (const [file, data] of untar(gunzipSync(bytes))) {
        if ((source.files as readonly string[]).includes(basename(file)))
          await writeFile(join(dir, basename(file)), data);
      }
    } else {
      await writeFile(join(dir, basename(url)), bytes);
    }
  }
  if (!(await allExist(targets))) {
    throw new Error(`downloadDataset('${name}'): the download did not contain ${source.files.join(", ")}.`);
  }
  return targets;
}

async function allExist(paths: string[]): Promise<boolean> {
  try {
    await Promise.all(paths.map((p) => access(p)));
    return true;
  } catch {
    return false;
  }
}

function manualSteps(name: DatasetName, dir: string, url: string, reason: string): string {
  const src = DATASET_SOURCES[name];
  const steps = src.urls[0]!.endsWith(".tar.gz")
    ? `  1. On a machine with network access, download ${src.urls[0]}\n` +
      `  2. Extract it: tar xzf ${basename(src.urls[0]!)}\n` +
      `  3. Copy ${src.files.join(", ")} into ${dir}\n`
    : `  1. On a machine with network access, download:\n${src.urls.map((u) => `       ${u}`).join("\n")}\n` +
      `  2. Copy the .gz files (compressed or not) into ${dir}\n`;
  return (
    `downloadDataset('${name}'): could not download ${url} (${reason}). You may be offline.\n` +
    `Manual steps:\n${steps}` +
    "Then read them with the readers (readCifar / readMnist); downloadDataset will find the files and skip the download."
  );
}

/** Minimal ustar reader: yields (name, bytes) of regular files. */
export function* untar(tar: Uint8Array): Generator<[string, Uint8Array]> {
  const text = (o: number, n: number) => {
    const s = Buffer.from(tar.subarray(o, o + n)).toString("utf8");
    const z = s.indexOf("\0");
    return z < 0 ? s : s.slice(0, z);
  };
  let o = 0;
  while (o + 512 <= tar.length) {
    const name = text(o, 100);
    if (name === "") return; // end-of-archive block
    const size = Number.parseInt(text(o + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(tar[o + 156]!);
    const prefix = text(o + 345, 155);
    const full = prefix ? `${prefix}/${name}` : name;
    if (type === "0" || type === "\0") yield [full, tar.subarray(o + 512, o + 512 + size)];
    o += 512 + Math.ceil(size / 512) * 512;
  }
}

import { type ByteSource, readBytes } from "../internal/readBytes";
import type { Dataset } from "./dataset";
import { type CifarOptions, parseCifar } from "./parseCifar";

/**
 * Reads CIFAR-10/100 binary batch files (paths or bytes, gzipped or not) into one
 * {@link Dataset}, in the order given. See {@link parseCifar}. The full CIFAR-10 training set
 * takes 600 MB as float32: use `limit` for quick runs.
 *
 * @example
 * ```ts
 * const train = await readCifar([1, 2, 3, 4, 5].map((i) => `./cifar-10-batches-bin/data_batch_${i}.bin`));
 * const test = await readCifar('./cifar-100-binary/test.bin', { variant: 'cifar100' });
 * ```
 */
export async function readCifar(
  sources: ByteSource | ByteSource[],
  options: CifarOptions = {},
): Promise<Dataset> {
  const list = Array.isArray(sources) ? sources : [sources];
  if (list.length === 0) throw new Error("readCifar: pass at least one batch file.");
  const parts: Dataset[] = [];
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  for (const s of list) {
    if (remaining <= 0) break;
    const what = typeof s === "string" ? s : "<bytes>";
    const ds = parseCifar(await readBytes("readCifar", s), { ...options, limit: remaining }, what);
    parts.push(ds);
    remaining -= ds.size;
  }
  if (parts.length === 1) return parts[0]!;
  const size = parts.reduce((a, p) => a + p.size, 0);
  const perImage = 3 * 32 * 32;
  const xs = new Float32Array(size * perImage);
  const ys = new Int32Array(size);
  let at = 0;
  for (const p of parts) {
    xs.set(p.xs, at * perImage);
    ys.set(p.ys, at);
    at += p.size;
  }
  return { xs, xShape: [32, 32, 3], ys, yShape: [], size, numClasses: parts[0]!.numClasses! };
}

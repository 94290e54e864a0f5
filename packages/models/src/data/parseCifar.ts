import type { Dataset } from "./dataset";

/** Options of {@link parseCifar} and `readCifar` (from `@sam/models/node`). */
export interface CifarOptions {
  /** `'cifar10'` (1 label byte per record, default) or `'cifar100'` (coarse then fine label byte). */
  variant?: "cifar10" | "cifar100";
  /** For CIFAR-100: `'fine'` (100 classes, default) or `'coarse'` (20 superclasses). */
  labels?: "fine" | "coarse";
  /** Read at most this many records (e.g. a quick subset). */
  limit?: number;
}

const PIXELS = 32 * 32;

/**
 * Decodes the CIFAR-10/100 binary format (Krizhevsky 2009): fixed-size records of label byte(s)
 * followed by 3072 pixel bytes, channel-planar (1024 red, 1024 green, 1024 blue, each row-major
 * 32x32). Output images are NHWC `[32, 32, 3]` float32 in [0, 1].
 *
 * @param bytes - One or more concatenated batch files (`data_batch_1.bin`, ...).
 * @param options - See {@link CifarOptions}.
 * @param what - A name for error messages.
 * @returns A classification {@link Dataset} (10, 100 or 20 classes).
 * @throws If the length is not a whole number of records (truncated file or wrong variant) or a
 *   label is out of range.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseCifar } from '@sam/models';
 *
 * const ds = parseCifar(readFileSync('cifar-10-batches-bin/test_batch.bin'));
 * ```
 */
export function parseCifar(bytes: Uint8Array, options: CifarOptions = {}, what = "<bytes>"): Dataset {
  const { variant = "cifar10", labels = "fine" } = options;
  if (variant !== "cifar10" && variant !== "cifar100") {
    throw new Error(`parseCifar: variant must be 'cifar10' or 'cifar100', got '${variant}'.`);
  }
  const labelBytes = variant === "cifar10" ? 1 : 2;
  const record = labelBytes + 3 * PIXELS;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    const full = Math.floor(bytes.length / record);
    throw new Error(
      `parseCifar: '${what}' has ${bytes.length} bytes, not a whole number of ${record}-byte ${variant} records ` +
        `(${full} records + ${bytes.length - full * record} bytes): the file is truncated or is not a ` +
        `${variant} binary batch${variant === "cifar10" ? " (CIFAR-100 records are 3074 bytes: pass variant 'cifar100')" : ""}.`,
    );
  }
  const numClasses = variant === "cifar10" ? 10 : labels === "coarse" ? 20 : 100;
  const labelOffset = variant === "cifar10" || labels === "coarse" ? 0 : 1;
  const n = Math.min(bytes.length / record, options.limit ?? Number.POSITIVE_INFINITY);
  const xs = new Float32Array(n * 3 * PIXELS);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * record;
    const c = bytes[o + labelOffset]!;
    if (c >= numClasses) {
      throw new Error(
        `parseCifar: record ${i} of '${what}' has label ${c}, outside [0, ${numClasses}) for ${variant}` +
          `${variant === "cifar100" ? ` (${labels})` : ""}: wrong variant or corrupt file.`,
      );
    }
    ys[i] = c;
    const px = o + labelBytes;
    const out = i * 3 * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      xs[out + 3 * p] = bytes[px + p]! / 255;
      xs[out + 3 * p + 1] = bytes[px + PIXELS + p]! / 255;
      xs[out + 3 * p + 2] = bytes[px + 2 * PIXELS + p]! / 255;
    }
  }
  return { xs, xShape: [32, 32, 3], ys, yShape: [], size: n, numClasses };
}

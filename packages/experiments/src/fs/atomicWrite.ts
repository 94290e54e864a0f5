import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * fsyncs a directory, so that a rename or a new entry in it survives a power cut.
 *
 * @example
 * ```ts
 * fsyncDir("/runs/a/checkpoints");
 * ```
 */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `data` to `path` and fsyncs it (no rename: for files inside a directory that is itself
 * renamed into place).
 *
 * @example
 * ```ts
 * writeSynced("/runs/a/checkpoints/.tmp-step-10/state.json", "{}");
 * ```
 */
export function writeSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "w");
  try {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` atomically: writes a temporary file beside it, fsyncs it, renames it over
 * `path` and fsyncs the directory. A kill at any instant leaves the old file or the new one.
 *
 * @example
 * ```ts
 * atomicWrite("runs/a/summary.json", JSON.stringify({ steps: 40 }));
 * ```
 */
export function atomicWrite(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.tmp-${basename(path)}-${process.pid}`);
  writeSynced(tmp, data);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";

/** A file path, or the file's bytes. */
export type ByteSource = string | Uint8Array;

/** Reads `source` (path or bytes); gunzips when the bytes start with the gzip magic `1f 8b`. */
export async function readBytes(fn: string, source: ByteSource): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (typeof source === "string") {
    try {
      bytes = await readFile(source);
    } catch (e) {
      throw new Error(`${fn}: cannot read '${source}' (${(e as Error).message}).`);
    }
  } else {
    bytes = source;
  }
  return maybeGunzip(fn, bytes, typeof source === "string" ? source : "<bytes>");
}

/** Gunzips `bytes` when they start with the gzip magic number, with a clear error if corrupt. */
export function maybeGunzip(fn: string, bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (e) {
      throw new Error(
        `${fn}: '${what}' looks gzipped but cannot be decompressed (${(e as Error).message}): ` +
          "the download is probably truncated; delete it and download again.",
      );
    }
  }
  return bytes;
}

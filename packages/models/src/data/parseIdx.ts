/**
 * A decoded IDX array.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseIdx } from '@sam/models';
 *
 * const { dtype, shape } = parseIdx(readFileSync('t10k-images-idx3-ubyte')); // 'uint8', [10000, 28, 28]
 * ```
 */
export interface IdxArray {
  /** Element type from the magic number. */
  dtype: "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
  /** Dimensions, outermost first. */
  shape: number[];
  /** Values, row-major. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const IDX_TYPES: Record<number, [IdxArray["dtype"], number]> = {
  0x08: ["uint8", 1],
  0x09: ["int8", 1],
  0x0b: ["int16", 2],
  0x0c: ["int32", 4],
  0x0d: ["float32", 4],
  0x0e: ["float64", 8],
};

/**
 * Decodes an IDX file (the MNIST format, LeCun et al.): a big-endian header
 * `[0, 0, typeCode, ndim]`, then `ndim` big-endian uint32 dimensions, then the values
 * (big-endian for multi-byte types).
 *
 * @param bytes - The raw (already gunzipped) file.
 * @param what - A name for error messages.
 * @returns The decoded {@link IdxArray}.
 * @throws On a wrong magic number, an unknown type code, or a truncated/oversized file.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseIdx } from '@sam/models';
 *
 * const { shape, data } = parseIdx(readFileSync('train-images-idx3-ubyte')); // e.g. [60000, 28, 28], Uint8Array
 * ```
 */
export function parseIdx(bytes: Uint8Array, what = "<bytes>"): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new Error(
      `parseIdx: '${what}' is not an IDX file: magic number bytes are [${head}], expected [00 00 <type> <ndim>]. ` +
        "Pass the uncompressed or .gz IDX file (e.g. train-images-idx3-ubyte.gz).",
    );
  }
  const type = IDX_TYPES[bytes[2]!];
  if (!type) throw new Error(`parseIdx: '${what}' has unknown IDX type code 0x${bytes[2]!.toString(16)}.`);
  const ndim = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw new Error(`parseIdx: '${what}' is truncated inside its header.`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const [dtype, width] = type;
  const expected = header + count * width;
  if (bytes.length !== expected) {
    throw new Error(
      `parseIdx: '${what}' has ${bytes.length} bytes but its header (shape ${JSON.stringify(shape)}, ${dtype}) ` +
        `needs ${expected}: the file is ${bytes.length < expected ? "truncated" : "longer than declared"}.`,
    );
  }
  let data: IdxArray["data"];
  switch (dtype) {
    case "uint8":
      data = bytes.slice(header);
      break;
    case "int8":
      data = new Int8Array(bytes.slice(header).buffer);
      break;
    default: {
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
        dtype
      ];
      const out = new Ctor(count);
      for (let i = 0; i < count; i++) {
        const o = header + i * width;
        out[i] =
          dtype === "int16"
            ? view.getInt16(o, false)
            : dtype === "int32"
              ? view.getInt32(o, false)
              : dtype === "float32"
                ? view.getFloat32(o, false)
                : view.getFloat64(o, false);
      }
      data = out;
    }
  }
  return { dtype, shape, data };
}

/**
 * The Fashion-MNIST class names, index = label.
 *
 * @example
 * ```ts
 * FASHION_MNIST_CLASSES[9]; // 'Ankle boot'
 * ```
 */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

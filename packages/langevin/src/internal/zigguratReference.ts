// Ziggurat tables (Marsaglia and Tsang 2000, 128 layers) for the standard normal.
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const M1 = 2147483648; // 2^31
/** The ziggurat's tables: KN (integer thresholds), WN (widths), FN (densities), 128 layers each. */
export const KN = new Float64Array(128);
/** See {@link KN}. */
export const WN = new Float64Array(128);
/** See {@link KN}. */
export const FN = new Float64Array(128);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * M1;
  KN[1] = 0;
  WN[0] = q / M1;
  WN[127] = dn / M1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * M1;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / M1;
  }
}

/**
 * The JavaScript reference of {@link gaussianArray}: `size` independent N(0, stddev^2) numbers
 * from seed `seed`, deterministic: the ziggurat
 * method (Marsaglia and Tsang 2000; about 99% of draws cost one 32-bit random number, one
 * table look-up and one comparison) over sfc32 (Doty-Humphrey's small fast counting
 * generator, state seeded through splitmix32 so nearby seeds give unrelated streams).
 * `gaussianArray` runs the compiled copy of this function (`kernels-c/ziggurat.c`), which must
 * give the same numbers bit for bit; this one is its fallback and the tests' reference.
 *
 * @example
 * ```ts
 * const draws = gaussianArrayReference(1000, 42); // Float32Array, mean ~0, variance ~1
 * ```
 */
export function gaussianArrayReference(size: number, seed: number, stddev = 1): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) | 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  // sfc32: returns a signed 32-bit integer.
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t;
  };
  const uniform = () => ((next() >>> 0) + 0.5) / 4294967296; // in (0, 1)
  for (let i = 0; i < 12; i++) next();
  for (let i = 0; i < size; i++) {
    let hz = next();
    let iz = hz & 127;
    if (Math.abs(hz) < KN[iz]!) {
      out[i] = stddev * hz * WN[iz]!;
      continue;
    }
    // Rare path (about 1%): the wedges and the tail.
    let x: number;
    for (;;) {
      x = hz * WN[iz]!;
      if (iz === 0) {
        let y: number;
        do {
          x = -Math.log(uniform()) / ZIG_R;
          y = -Math.log(uniform());
        } while (y + y < x * x);
        x = hz > 0 ? ZIG_R + x : -ZIG_R - x;
        break;
      }
      if (FN[iz]! + uniform() * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) break;
      hz = next();
      iz = hz & 127;
      if (Math.abs(hz) < KN[iz]!) {
        x = hz * WN[iz]!;
        break;
      }
    }
    out[i] = stddev * x;
  }
  return out;
}

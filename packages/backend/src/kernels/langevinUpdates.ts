import * as tf from "@tensorflow/tfjs-core";
import { convKernelModuleFor } from "../internal/convKernels";
import type { DisposingWasmBackend } from "../internal/heapVectors";
import { heapOffset } from "../internal/simdKernels";

/**
 * Name of the kernel of {@link underdampedLangevinUpdateConfig}. `@sam/langevin`'s BAOAB and OBA
 * steps look it up by this name (its `UNDERDAMPED_LANGEVIN_UPDATE`).
 */
export const UNDERDAMPED_LANGEVIN_UPDATE = "SamUnderdampedLangevinUpdate";
/** Name of the kernel of {@link adaptiveLangevinFirstHalfConfig} (`@sam/langevin`'s `ADAPTIVE_LANGEVIN_FIRST_HALF`). */
export const ADAPTIVE_LANGEVIN_FIRST_HALF = "SamAdaptiveLangevinFirstHalf";
/** Name of the kernel of {@link adaptiveLangevinSecondHalfConfig} (`@sam/langevin`'s `ADAPTIVE_LANGEVIN_SECOND_HALF`). */
export const ADAPTIVE_LANGEVIN_SECOND_HALF = "SamAdaptiveLangevinSecondHalf";

type Inputs = Record<string, tf.TensorInfo | undefined>;

/** The named inputs, float32 and each of `first`'s size, or an error naming the one that is not. */
function checkedInputs(kernel: string, inputs: Inputs, names: readonly string[]): tf.TensorInfo[] {
  const infos = names.map((name) => {
    const x = inputs[name];
    if (!x) throw new Error(`${kernel}: input '${name}' is missing; it takes ${names.join(", ")}.`);
    if (x.dtype !== "float32") {
      throw new Error(
        `${kernel}: input '${name}' is ${x.dtype} [${x.shape}]; it takes float32 tensors only.`,
      );
    }
    return x;
  });
  const size = tf.util.sizeFromShape(infos[0]!.shape);
  infos.forEach((x, i) => {
    if (tf.util.sizeFromShape(x.shape) !== size) {
      throw new Error(
        `${kernel}: input '${names[i]}' has shape [${x.shape}], '${names[0]}' [${infos[0]!.shape}]; ` +
          "every input is one parameter's tensor (or its momentum, gradient or noise), of one size.",
      );
    }
  });
  return infos;
}

/** Input `decay`: a float32 tensor of one number, or an error saying what it is. */
function checkedDecay(kernel: string, inputs: Inputs): tf.TensorInfo {
  const [decay] = checkedInputs(kernel, inputs, ["decay"]);
  if (tf.util.sizeFromShape(decay!.shape) !== 1) {
    throw new Error(`${kernel}: input 'decay' has shape [${decay!.shape}]; it must hold one number.`);
  }
  return decay!;
}

/** A number attribute, or an error naming it. */
function attr(kernel: string, attrs: tf.NamedAttrMap, name: string): number {
  const v = attrs[name];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(`${kernel}: attribute '${name}' is ${String(v)}; it must be a finite number.`);
  }
  return v;
}

/** One float of a scalar tensor on the heap. */
function scalarOf(be: DisposingWasmBackend, x: tf.TensorInfo): number {
  return (be.typedArrayFromHeap(x) as Float32Array)[0]!;
}

/** Runs `compiled` on the heap offsets, or `portable` over heap views where the SIMD module cannot load. */
function run(
  be: DisposingWasmBackend,
  infos: readonly tf.TensorInfo[],
  compiled: ((offsets: number[], n: number) => void) | undefined,
  portable: (views: Float32Array[], n: number) => void,
): void {
  const n = tf.util.sizeFromShape(infos[0]!.shape);
  if (n === 0) return;
  if (compiled)
    compiled(
      infos.map((x) => heapOffset(be, x)),
      n,
    );
  else
    portable(
      infos.map((x) => be.typedArrayFromHeap(x) as Float32Array),
      n,
    );
}

const f = Math.fround;

/**
 * `SamUnderdampedLangevinUpdate` on wasm: one step's parameter update of BAOAB (`order: 'BAOAB'`)
 * or OBA (`order: 'OBA'`) in one pass (`kernels-c/langevinUpdates.c`), where the tfjs composition
 * is 7 kernels per tensor (BAOAB; 6 for OBA). Inputs `w` (the parameter), `p` (its momentum), `g` (its gradient) and
 * `r` (the O-step's noise, already scaled by d), all float32 of one size; number attributes (each
 * used as float32, as tfjs does with a number operand):
 *
 * ```
 * BAOAB (kick, c, half):  p1 = p - g kick;  p2 = p1 c + r;  w' = w + (p1 + p2) half;  p' = p2
 * OBA   (h, c):           p2 = (p c + r) - g h;            w' = w + p2 h;             p' = p2
 * ```
 * Outputs `[w', p']`, equal bit for bit to that composition of tfjs kernels (the same float32
 * operations in the same order).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { UNDERDAMPED_LANGEVIN_UPDATE } from "@sam/backend";
 *
 * // registered on wasm by registerWasmTrainingKernels()
 * const [w, p] = tf.engine().runKernel(
 *   UNDERDAMPED_LANGEVIN_UPDATE,
 *   { w: tf.ones([3]), p: tf.zeros([3]), g: tf.ones([3]), r: tf.zeros([3]) },
 *   { order: "BAOAB", kick: 0.05, c: 0.9, half: 0.05 },
 * ) as tf.Tensor[];
 * ```
 */
export const underdampedLangevinUpdateConfig: tf.KernelConfig = {
  kernelName: UNDERDAMPED_LANGEVIN_UPDATE,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = backend as DisposingWasmBackend;
    const name = UNDERDAMPED_LANGEVIN_UPDATE;
    const [w, p, g, r] = checkedInputs(name, inputs as Inputs, ["w", "p", "g", "r"]);
    const order = attrs?.order;
    if (order !== "BAOAB" && order !== "OBA") {
      throw new Error(`${name}: attribute 'order' is ${String(order)}; it must be 'BAOAB' or 'OBA'.`);
    }
    const c = f(attr(name, attrs!, "c"));
    // attributes first: an error leaves no output allocated
    const [kick, half, h] =
      order === "BAOAB"
        ? [f(attr(name, attrs!, "kick")), f(attr(name, attrs!, "half")), 0]
        : [0, 0, f(attr(name, attrs!, "h"))];
    const wOut = be.makeOutput(w!.shape, "float32");
    const pOut = be.makeOutput(w!.shape, "float32");
    const k = convKernelModuleFor(be)?.kernels;
    if (order === "BAOAB") {
      run(
        be,
        [w!, p!, g!, r!, wOut, pOut],
        k && ((o, n) => k.underdampedBaoab(...o, n, kick, c, half)),
        ([wv, pv, gv, rv, wo, po], n) => {
          for (let i = 0; i < n; i++) {
            const p1 = f(pv![i]! - f(gv![i]! * kick));
            const p2 = f(f(p1 * c) + rv![i]!);
            wo![i] = f(wv![i]! + f(f(p1 + p2) * half));
            po![i] = p2;
          }
        },
      );
    } else {
      run(
        be,
        [w!, p!, g!, r!, wOut, pOut],
        k && ((o, n) => k.underdampedOba(...o, n, h, c)),
        ([wv, pv, gv, rv, wo, po], n) => {
          for (let i = 0; i < n; i++) {
            const p2 = f(f(f(pv![i]! * c) + rv![i]!) - f(gv![i]! * h));
            wo![i] = f(wv![i]! + f(p2 * h));
            po![i] = p2;
          }
        },
      );
    }
    return [wOut, pOut];
  },
};

/**
 * `SamAdaptiveLangevinFirstHalf` on wasm: Adaptive Langevin's B, C and first D sub-steps on one
 * tensor in one pass (`kernels-c/langevinUpdates.c`; 4 tfjs kernels otherwise). Inputs `p` (the
 * momentum), `g` (the gradient), `r` (the first D-step's noise, already scaled) and `decay` (a
 * scalar: exp(-(h/2) xi) for the current thermostat xi), float32; attribute `kick`:
 *
 * ```
 * pm = (p - g kick) decay + r
 * ```
 * Output `pm`, equal bit for bit to that composition of tfjs kernels. The kinetic energy of pm
 * (which moves xi) is taken between this kernel and {@link adaptiveLangevinSecondHalfConfig}'s.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ADAPTIVE_LANGEVIN_FIRST_HALF } from "@sam/backend";
 *
 * const pm = tf.engine().runKernel(
 *   ADAPTIVE_LANGEVIN_FIRST_HALF,
 *   { p: tf.zeros([3]), g: tf.ones([3]), r: tf.zeros([3]), decay: tf.scalar(0.99) },
 *   { kick: 0.125 },
 * ) as tf.Tensor;
 * ```
 */
export const adaptiveLangevinFirstHalfConfig: tf.KernelConfig = {
  kernelName: ADAPTIVE_LANGEVIN_FIRST_HALF,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = backend as DisposingWasmBackend;
    const name = ADAPTIVE_LANGEVIN_FIRST_HALF;
    const [p, g, r] = checkedInputs(name, inputs as Inputs, ["p", "g", "r"]);
    const decayInfo = checkedDecay(name, inputs as Inputs);
    const kick = f(attr(name, attrs!, "kick"));
    const decay = scalarOf(be, decayInfo);
    const pmOut = be.makeOutput(p!.shape, "float32");
    const k = convKernelModuleFor(be)?.kernels;
    run(
      be,
      [p!, g!, r!, pmOut],
      k && ((o, n) => k.adaptiveFirstHalf(...o, n, kick, decay)),
      ([pv, gv, rv, out], n) => {
        for (let i = 0; i < n; i++) out![i] = f(f(f(pv![i]! - f(gv![i]! * kick)) * decay) + rv![i]!);
      },
    );
    return pmOut;
  },
};

/**
 * `SamAdaptiveLangevinSecondHalf` on wasm: Adaptive Langevin's second D and C sub-steps and both
 * A halves on one tensor in one pass (`kernels-c/langevinUpdates.c`; 5 tfjs kernels otherwise).
 * Inputs `w`, `p` (the momentum at the start of the step), `g`, `pm` (the output of
 * {@link adaptiveLangevinFirstHalfConfig}), `r` (the second D-step's noise) and `decay` (a scalar:
 * exp(-(h/2) xi) for the updated xi), float32; attributes `kick` and `half` (h/2):
 *
 * ```
 * p1 = p - g kick;  p2 = (pm + r) decay;  w' = w + (p1 + p2) half;  p' = p2
 * ```
 * Outputs `[w', p']`, equal bit for bit to that composition of tfjs kernels.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ADAPTIVE_LANGEVIN_SECOND_HALF } from "@sam/backend";
 *
 * const [w, p] = tf.engine().runKernel(
 *   ADAPTIVE_LANGEVIN_SECOND_HALF,
 *   { w: tf.ones([3]), p: tf.zeros([3]), g: tf.ones([3]), pm: tf.zeros([3]), r: tf.zeros([3]), decay: tf.scalar(0.99) },
 *   { kick: 0.125, half: 0.125 },
 * ) as tf.Tensor[];
 * ```
 */
export const adaptiveLangevinSecondHalfConfig: tf.KernelConfig = {
  kernelName: ADAPTIVE_LANGEVIN_SECOND_HALF,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const be = backend as DisposingWasmBackend;
    const name = ADAPTIVE_LANGEVIN_SECOND_HALF;
    const [w, p, g, pm, r] = checkedInputs(name, inputs as Inputs, ["w", "p", "g", "pm", "r"]);
    const decayInfo = checkedDecay(name, inputs as Inputs);
    const kick = f(attr(name, attrs!, "kick"));
    const half = f(attr(name, attrs!, "half"));
    const decay = scalarOf(be, decayInfo);
    const wOut = be.makeOutput(w!.shape, "float32");
    const pOut = be.makeOutput(w!.shape, "float32");
    const k = convKernelModuleFor(be)?.kernels;
    run(
      be,
      [w!, p!, g!, pm!, r!, wOut, pOut],
      k && ((o, n) => k.adaptiveSecondHalf(...o, n, kick, decay, half)),
      ([wv, pv, gv, pmv, rv, wo, po], n) => {
        for (let i = 0; i < n; i++) {
          const p1 = f(pv![i]! - f(gv![i]! * kick));
          const p2 = f(f(pmv![i]! + rv![i]!) * decay);
          wo![i] = f(wv![i]! + f(f(p1 + p2) * half));
          po![i] = p2;
        }
      },
    );
    return [wOut, pOut];
  },
};

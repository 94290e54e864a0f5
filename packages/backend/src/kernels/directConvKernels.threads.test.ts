import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNoLeak, expectSameOnBackends, values } from "../../test/compareBackends";
import { convGridCases, STRIDES_ONLY } from "../../test/convGrid";
import {
  DIRECT_CONV_CASES,
  DIRECT_INPUT_GRADIENT_CASES,
  expectDirectConvEqualsCpu,
  expectDirectEqualsCpu,
  expectInputGradientEqualsCpu,
  WIDE_CASES,
} from "../../test/directConvCases";
import { convGeometry } from "../internal/convGeometry";
import { convKernelHelperFor, convKernelModuleFor } from "../internal/convKernels";
import { heapOffset } from "../internal/simdKernels";
import { createConvKernelWorker } from "../node/convKernelWorker";
import { initWasmWithThreads } from "../node/initWasmWithThreads";
import { registerWasmTrainingKernels } from "../registerWasmTrainingKernels";
import { directFilterGradient } from "./directFilterGradient";

// This file runs in its own process (vitest pool "forks"): the threaded wasm build must start
// before any other wasm backend in the process.
describe("the direct filter gradient, forward and input gradient with their worker thread (threaded wasm) equal cpu", () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    // refused before anything starts
    await expect(initWasmWithThreads(2, { poolThreads: 3 })).rejects.toThrow(
      /options.poolThreads must be an integer from 1 to numThreads \(2\), got 3/,
    );
    const { threads, poolThreads } = await initWasmWithThreads(2);
    expect(threads).toBe(2);
    expect(poolThreads).toBe(1); // tfjs-wasm's own pool: 1 by default
    await tf.setBackend("cpu");
    await tf.setBackend("wasm");
  });

  it("runs on a shared memory with a helper thread", () => {
    const m = convKernelModuleFor(tf.backend())!;
    expect(m.shared).toBe(true);
    expect(convKernelHelperFor(m)).toBeDefined();
  });

  for (const c of convGridCases({ depthwise: false, strideDilation: STRIDES_ONLY }).filter((c) => c.x[0] > 1))
    it(c.title, () => expectDirectEqualsCpu(c.x, c.filterShape, c.stride, c.pad, c.round, "always"));

  for (const { x, filterShape } of WIDE_CASES.filter((w) => w.x[0] > 1))
    for (const stride of [1, 2])
      it(`wide ${x.join("x")} -> ${filterShape[3]}, stride ${stride}, same`, () =>
        expectDirectEqualsCpu(x, filterShape, stride, "same", undefined, "always"));

  for (const { x, filterShape } of DIRECT_CONV_CASES.filter((c) => c.x[0] > 1))
    for (const stride of [1, 2])
      it(`forward ${x.join("x")} * ${filterShape.join("x")}, stride ${stride}, same, bias + relu`, () =>
        expectDirectConvEqualsCpu(x, filterShape, stride, "same", true, true, "always"));

  for (const { x, filterShape } of DIRECT_INPUT_GRADIENT_CASES.filter((c) => c.x[0] > 1))
    for (const stride of [1, 2])
      it(`input gradient ${x.join("x")} * ${filterShape.join("x")}, stride ${stride}, same`, () =>
        expectInputGradientEqualsCpu(x, filterShape, stride, "same", undefined, "always"));

  it("the Conv2DBackpropFilter kernel splits a layer above the threshold and equals cpu", () => {
    // 8 x 16 x 16 x 16 -> 16, 3x3, stride 1, same: 4.7e6 multiply-adds >= 4e6
    const xv = values(8 * 16 * 16 * 16, 3);
    const dyv = values(8 * 16 * 16 * 16, 4);
    expectSameOnBackends(
      () =>
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x: tf.tensor4d(xv, [8, 16, 16, 16]), dy: tf.tensor4d(dyv, [8, 16, 16, 16]) },
            { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 16, 16] },
          ) as tf.Tensor,
    );
  });

  for (const [a, b, ta, title] of [
    [[4, 64, 64], [4, 64, 64], false, "batches split"],
    [[1, 512, 70], [1, 512, 64], true, "one batch, its 70 rows split at 32"],
    [[1, 2048, 64], [64, 32], false, "a shared b, rows split"],
  ] as const)
    it(`BatchMatMul on the compiled kernel with the helper: ${title}`, () => {
      const av = values(tf.util.sizeFromShape([...a]), 7);
      const bv = values(tf.util.sizeFromShape([...b]), 8);
      expectSameOnBackends(() => tf.matMul(tf.tensor(av, [...a]), tf.tensor(bv, [...b]), ta, false), 1e-5);
    });

  it("the softmax gradient split with the helper equals cpu's", () => {
    const v = values(301 * 230, 10); // 69230 floats: above the split threshold
    const w = values(301 * 230, 11);
    expectSameOnBackends(
      () =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), tf.tensor(w, [301, 230]))))(
          tf.tensor(v, [301, 230]),
        ),
      1e-5,
    );
  });

  it("Exp, Erf and Rsqrt split with the helper equal cpu", () => {
    const n = 70_001; // above the split threshold, not a multiple of 8
    const v = Float32Array.from(values(n, 9), (x) => x * 5);
    expectSameOnBackends(() => tf.exp(tf.tensor1d(v)), 1e-6);
    expectSameOnBackends(() => tf.erf(tf.tensor1d(v)), 1e-6);
    expectSameOnBackends(() => tf.rsqrt(tf.abs(tf.tensor1d(v))), 1e-6);
  });

  it("leaks no tensor and no heap bytes", () => {
    const x = tf.tensor4d(values(4 * 8 * 8 * 12, 5), [4, 8, 8, 12]);
    const dy = tf.tensor4d(values(4 * 8 * 8 * 9, 6), [4, 8, 8, 9]);
    const g = convGeometry({
      kernelName: "test",
      xShape: x.shape,
      filterShape: [3, 3, 12, 9],
      strides: 1,
      pad: "same",
      depthwise: false,
    });
    const probe = () => {
      const t = tf.zeros([3, 3, 12, 9]);
      const at = heapOffset(tf.backend(), t);
      t.dispose();
      return at;
    };
    const before = probe();
    expectNoLeak(() => directFilterGradient(tf.backend(), x, dy, g, 9, "always")!);
    expect(probe()).toBe(before);
    tf.dispose([x, dy]);
  });

  it("a process that used the worker ends by itself (the worker is unref'd)", () => {
    // A process that hangs on the worker is killed at the spawn timeout (signal SIGTERM, status
    // null) and fails here; one that exits by itself has status 0. The timeout is generous: a
    // loaded CI machine took 28 s to start tsx and run the step. No wall-clock bound beyond it.
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@sam/source", "test/fixtures/threadedStepExits.ts"],
      {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        encoding: "utf8",
        timeout: 150_000,
      },
    );
    expect(r.signal, "the process did not exit by itself: killed at the spawn timeout").toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").at(-1)!)).toEqual({ shared: true, centre: 2048 });
  }, 180_000);

  it("a failure in the worker is an Error in the caller, not a hang", () => {
    const helper = createConvKernelWorker(convKernelModuleFor(tf.backend())!);
    // dW pointer at the top of the 4 GiB address space: the worker's store traps
    helper.start([0, 0, 0x7ffffff0, 0, 1, 4, 4, 4, 4, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1]);
    expect(() => helper.wait(20_000)).toThrow(
      /conv kernel worker: it failed: RuntimeError: memory access out of bounds/,
    );
    expect(() => helper.start([])).toThrow(/conv kernel worker/);
  });
});

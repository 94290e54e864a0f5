import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { tfjsNodePresent } from "../test/tfjsNodePresence";
import { wasmHeapStats } from "./memory/guardWasmHeap";
import { TRAINING_GRADIENTS } from "./registerTrainingGradients";
import { BACKEND_ENV_VAR, setupBackend } from "./setupBackend";

const MARK = Symbol.for("@sam/backend/gradient");

describe("setupBackend", () => {
  // Runs first: once tfjs-node is loaded, the process keeps its 'tensorflow' backend.
  it.runIf(tfjsNodePresent)(
    "chooses tensorflow when tfjs-node loads, with the training gradients",
    async () => {
      const lines: string[] = [];
      const choice = await setupBackend({ env: {}, log: (l) => lines.push(l) });
      expect(choice).toMatchObject({
        kind: "tensorflow",
        backend: "tensorflow",
        source: "@tensorflow/tfjs-node",
      });
      expect(tf.getBackend()).toBe("tensorflow");
      expect(choice.reason).toMatch(
        /^first available of tensorflow > wasm > cpu: @tensorflow\/tfjs-node loaded, with the @sam\/backend training gradients/,
      );
      // tfjs-node-gpu is skipped with its reason, tfjs-node chosen
      expect(choice.attempts).toEqual([
        { kind: "tensorflow", ok: true, reason: expect.stringMatching(/tfjs-node loaded/) },
      ]);
      for (const name of TRAINING_GRADIENTS) expect((tf.getGradient(name) as never)[MARK]).toBe(true);
      expect(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]).toBe(11);
      expect(lines).toEqual([expect.stringMatching(/^@sam\/backend: tensorflow: chosen/)]);
    },
  );

  it.skipIf(tfjsNodePresent)(
    "skips the absent tfjs-node packages with their reason and picks wasm",
    async () => {
      const lines: string[] = [];
      const choice = await setupBackend({ env: {}, log: (l) => lines.push(l) });
      expect(choice.kind).toBe("wasm");
      expect(choice.backend).toBe("wasm");
      expect(tf.getBackend()).toBe("wasm");
      expect(choice.attempts[0]).toMatchObject({ kind: "tensorflow", ok: false });
      expect(choice.attempts[0]!.reason).toMatch(
        /@tensorflow\/tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed/,
      );
      expect(choice.reason).toMatch(
        /^first available of tensorflow > wasm > cpu: wasm with the @sam\/backend training kernels/,
      );
      expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
      // the heap is guarded: allocations are counted, running out throws WasmOutOfMemoryError
      const before = wasmHeapStats(tf.backend())!.liveBytes;
      const t = tf.zeros([256]);
      expect(wasmHeapStats(tf.backend())!.liveBytes).toBe(before + 1024);
      t.dispose();
      expect(lines).toHaveLength(2);
    },
  );

  it(`obeys ${BACKEND_ENV_VAR}`, async () => {
    const choice = await setupBackend({ env: { [BACKEND_ENV_VAR]: "cpu" } });
    expect(choice).toMatchObject({ kind: "cpu", backend: "cpu", source: "@tensorflow/tfjs-backend-cpu" });
    expect(choice.reason).toMatch(/^SAM_BACKEND=cpu: /);
    expect(choice.attempts).toHaveLength(1);
  });

  it("honours prefer, and an explicit list is the whole order", async () => {
    expect((await setupBackend({ env: {}, prefer: "cpu" })).kind).toBe("cpu");
    if (tfjsNodePresent)
      expect((await setupBackend({ env: {}, prefer: ["tensorflow"] })).kind).toBe("tensorflow");
    else
      await expect(setupBackend({ env: {}, prefer: ["tensorflow"] })).rejects.toThrow(
        /no backend could be started \(tensorflow: .*not installed/,
      );
    expect((await setupBackend({ env: {}, prefer: ["wasm", "cpu"] })).kind).toBe("wasm");
  });

  it("reports an unavailable webgpu (no Dawn here) and falls through", async () => {
    const choice = await setupBackend({ env: {}, prefer: ["webgpu", "wasm"] });
    expect(choice.kind).toBe("wasm");
    expect(choice.attempts[0]).toMatchObject({ kind: "webgpu", ok: false });
    expect(choice.attempts[0]!.reason).toMatch(/setupWebGpu: /);
  });

  it("rejects bad input with the value and the fix", async () => {
    await expect(setupBackend({ env: { [BACKEND_ENV_VAR]: "gpu" } })).rejects.toThrow(
      /SAM_BACKEND='gpu' is not a backend; use one of tensorflow, wasm, webgpu, cpu/,
    );
    await expect(setupBackend({ env: {}, threads: 0 })).rejects.toThrow(
      /threads must be a positive integer, got 0/,
    );
  });

  it("sends threads > 1 to @sam/backend/node (the main entry has no Node built-ins)", async () => {
    // wasm is already initialised by the tests above, so the thread shim would not apply anyway;
    // a fresh wasm is what reaches the check, so look at the attempt's reason through prefer.
    await tf.removeBackend("wasm");
    await expect(setupBackend({ env: {}, prefer: ["wasm"], threads: 2 })).rejects.toThrow(
      /wasm: threads: 2 needs the Node thread shim; import \{ setupBackend \} from "@sam\/backend\/node"/,
    );
  });
});

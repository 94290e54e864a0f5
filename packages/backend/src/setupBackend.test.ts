import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { BACKEND_ENV_VAR, setupBackend } from "./setupBackend";

describe("setupBackend", () => {
  it("skips the absent tfjs-node packages with their reason and picks wasm", async () => {
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
    expect(lines).toHaveLength(2);
  });

  it(`obeys ${BACKEND_ENV_VAR}`, async () => {
    const choice = await setupBackend({ env: { [BACKEND_ENV_VAR]: "cpu" } });
    expect(choice).toMatchObject({ kind: "cpu", backend: "cpu", source: "@tensorflow/tfjs-backend-cpu" });
    expect(choice.reason).toMatch(/^SAM_BACKEND=cpu: /);
    expect(choice.attempts).toHaveLength(1);
  });

  it("honours prefer, and an explicit list is the whole order", async () => {
    expect((await setupBackend({ env: {}, prefer: "cpu" })).kind).toBe("cpu");
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
});

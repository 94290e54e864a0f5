import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackends, values } from "../../test/compareBackends";
import { guardWasmHeap, resetWasmHeapPeak, WASM_HEAP_MAX_BYTES, wasmHeapStats } from "./guardWasmHeap";
import { WasmOutOfMemoryError } from "./wasmOutOfMemoryError";

const MB = 2 ** 20;

/** A heap that ends `headroom` bytes above its present size: what a nearly full 4 GB heap looks like. */
function limitHeap(headroom: number): void {
  guardWasmHeap(tf.backend(), { limitBytes: wasmHeapStats(tf.backend())!.heapBytes + headroom });
}

describe("guardWasmHeap", () => {
  beforeAll(initBackends);
  afterEach(() => guardWasmHeap(tf.backend(), { limitBytes: WASM_HEAP_MAX_BYTES }));

  it("counts live and peak bytes of the backend's allocations", () => {
    resetWasmHeapPeak(tf.backend());
    const before = wasmHeapStats(tf.backend())!;
    const t = tf.zeros([MB / 4]); // 1 MiB of float32
    const during = wasmHeapStats(tf.backend())!;
    expect(during.liveBytes - before.liveBytes).toBe(MB);
    t.dispose();
    const after = wasmHeapStats(tf.backend())!;
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.peakLiveBytes).toBeGreaterThanOrEqual(before.liveBytes + MB);
    expect(after.limitBytes).toBe(WASM_HEAP_MAX_BYTES);
    expect(after.heapBytes).toBeGreaterThan(after.liveBytes);
  });

  it("a tensor that does not fit throws WasmOutOfMemoryError naming its shape, size and the fixes; nothing leaks", () => {
    limitHeap(40 * MB); // 32 MiB of it reserved for the module
    const tensors = tf.memory().numTensors;
    let error: unknown;
    try {
      tf.zeros([64, 1024, 256]); // 64 MiB
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasmOutOfMemoryError);
    const e = error as WasmOutOfMemoryError;
    expect(e.name).toBe("WasmOutOfMemoryError");
    expect(e.details.requestedBytes).toBe(64 * MB);
    expect(e.details.shape).toEqual([64, 1024, 256]);
    expect(e.message).toMatch(/allocating 64 MB for a tensor of shape \[64, 1024, 256\]/);
    expect(e.message).toMatch(/here probably 64/);
    expect(e.message).toMatch(/smaller batch.*accumulation.*chunkedLoss.*tensorflow backend/s);
    expect(tf.memory().numTensors).toBe(tensors);
    // the backend still works
    guardWasmHeap(tf.backend(), { limitBytes: WASM_HEAP_MAX_BYTES });
    const t = tf.add(tf.ones([4]), 1);
    expect(Array.from(t.dataSync())).toEqual([2, 2, 2, 2]);
    tf.dispose(t);
  });

  it("a training step that outgrows the heap fails with WasmOutOfMemoryError (not Aborted() or out of bounds), and the next one works", () => {
    // activations of 33 MB (32 x 64 x 64 x 64 floats): the step needs ~150 MB, more than the
    // earlier tests left free in the heap
    const x = tf.tensor4d(values(32 * 64 * 64 * 8, 3), [32, 64, 64, 8]);
    const w = tf.variable(tf.tensor4d(values(3 * 3 * 8 * 64, 4), [3, 3, 8, 64]));
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () =>
            tf.mean(
              tf.square(
                tf.relu(
                  tf.conv2d(tf.relu(tf.conv2d(x, w, 1, "same")), tf.transpose(w, [0, 1, 3, 2]), 1, "same"),
                ),
              ),
            ) as tf.Scalar,
        );
        return [value, grads[w.name]!] as tf.Tensor[];
      });
    const tensors = tf.memory().numTensors;
    limitHeap(34 * MB); // 2 MiB above the present heap, 32 MiB reserved
    expect(step).toThrow(WasmOutOfMemoryError);
    expect(tf.memory().numTensors).toBe(tensors);
    guardWasmHeap(tf.backend(), { limitBytes: WASM_HEAP_MAX_BYTES });
    const [value, grad] = step();
    expect(Number.isFinite(value!.dataSync()[0])).toBe(true);
    expect(grad!.shape).toEqual([3, 3, 8, 64]);
    tf.dispose([value!, grad!, x, w]);
  });

  it("returns false (and wasmHeapStats undefined) for a backend that is not wasm", () => {
    expect(guardWasmHeap(tf.findBackend("cpu"))).toBe(false);
    expect(wasmHeapStats(tf.findBackend("cpu"))).toBeUndefined();
  });
});

const MB = 2 ** 20;

/** What was known when the wasm heap ran out (see {@link WasmOutOfMemoryError}). */
export interface WasmOutOfMemoryDetails {
  /** Bytes of the allocation that failed (0 when the module aborted inside its own code). */
  requestedBytes: number;
  /** Shape of the tensor being allocated, when the allocation was a tensor's. */
  shape?: readonly number[];
  /** Size of the wasm memory at the failure, bytes. */
  heapBytes: number;
  /** Largest size the wasm memory can reach (wasm32: just under 4 GiB), bytes. */
  heapLimitBytes: number;
  /** Bytes the backend had allocated at the failure, and the most it had at once before. */
  liveBytes: number;
  peakLiveBytes: number;
  /** The wasm module's abort message, when it aborted (then it cannot be used again in this process). */
  abort?: string;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

/**
 * Thrown when a step on the wasm backend needs more memory than the wasm heap can give (wasm32
 * memory cannot grow past 4 GiB), instead of tfjs-backend-wasm's `RuntimeError: Aborted()` or
 * `memory access out of bounds`. The message names the allocation (its shape, whose first axis
 * is usually the batch), the heap's size and limit, and the three fixes: a smaller batch,
 * gradient accumulation over micro-batches, or the tensorflow backend.
 *
 * @example
 * ```ts
 * try {
 *   optimizer.minimize(lossFn);
 * } catch (error) {
 *   if (error instanceof WasmOutOfMemoryError) console.log(error.details.peakLiveBytes);
 *   else throw error;
 * }
 * ```
 */
export class WasmOutOfMemoryError extends Error {
  override readonly name = "WasmOutOfMemoryError";
  readonly details: WasmOutOfMemoryDetails;

  constructor(details: WasmOutOfMemoryDetails) {
    const d = details;
    const what = d.abort
      ? `the wasm module aborted (${d.abort || "no reason given"}) with its heap at ${mb(d.heapBytes)}; it cannot run again in this process`
      : `allocating ${mb(d.requestedBytes)}${d.shape ? ` for a tensor of shape [${d.shape.join(", ")}]` : ""} failed with the heap at ${mb(d.heapBytes)}`;
    super(
      `wasm out of memory: ${what} (wasm32 limit ${mb(d.heapLimitBytes)}; ${mb(d.liveBytes)} allocated now, ` +
        `peak ${mb(d.peakLiveBytes)}). The step's peak grows with the batch size${d.shape?.length ? ` (here probably ${d.shape[0]})` : ""}. ` +
        "Fixes: a smaller batch; or gradient accumulation over micro-batches (@sam/core: " +
        "samOracle({ accumulation: 'global' }) with chunkedLoss(batch, m, lossOf), the same update as " +
        "the full batch); or the tensorflow backend (@tensorflow/tfjs-node, `npx sam-backend " +
        "install-tfjs-node`, whose memory is not capped at 4 GB).",
    );
    this.details = details;
  }
}

import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import {
  CONV_KERNEL_ARGS,
  type ConvKernelHelper,
  type ConvKernelModule,
  HELPER_FUNCTIONS,
} from "../internal/convKernels";

/** Control words: [0] job number posted, [1] job number done, [2] error flag, [3] function index, [4..] args. */
const ARGS_AT = 4;

/**
 * The worker's script (CommonJS, run with `eval`): instantiates the convolution kernels module on the
 * shared memory, then loops: wait for a new job number in control[0], run the export numbered
 * control[3] (one of `HELPER_FUNCTIONS`) with the posted args, publish the number in control[1]. An error sets control[2] and posts its text.
 */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, port } = workerData;
const ctl = new Int32Array(control);
const fail = (e) => {
  port.postMessage(String((e && e.stack) || e));
  Atomics.store(ctl, 2, 1);
  Atomics.store(ctl, 1, -1);
  Atomics.notify(ctl, 1);
};
let table;
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  table = ${JSON.stringify(HELPER_FUNCTIONS)}.map((name) => exports[name]);
} catch (e) {
  fail(e);
}
let seen = 0;
while (table) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  try {
    table[Atomics.load(ctl, 3)](...ctl.subarray(${ARGS_AT}, ${ARGS_AT + CONV_KERNEL_ARGS}));
  } catch (e) {
    fail(e);
    break;
  }
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}
`;

/**
 * A second thread for the filter gradient on the threaded wasm build: a `worker_threads` worker
 * that instantiates the same compiled module on the same shared memory and runs the jobs
 * {@link ConvKernelHelper.start} posts, synchronised with `Atomics` on a small
 * SharedArrayBuffer (the worker `Atomics.wait`s for a job; the caller, after its own part, waits
 * for the done word). The worker is `unref`'d (it never keeps the process alive) and allocates
 * nothing in the heap: the caller owns every buffer it writes. A failure in the worker (or no
 * answer within the timeout) is thrown as an Error in the caller, and the helper stays broken.
 *
 * @example
 * ```ts
 * import { initWasmWithThreads } from "@sam/backend/node";
 *
 * // installs createConvKernelWorker as the compiled convolution kernels' second thread
 * void initWasmWithThreads(2);
 * ```
 */
export function createConvKernelWorker(m: ConvKernelModule): ConvKernelHelper {
  const control = new SharedArrayBuffer(4 * (ARGS_AT + CONV_KERNEL_ARGS));
  const ctl = new Int32Array(control);
  const channel = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: m.module, memory: m.memory, control, port: channel.port2 },
    transferList: [channel.port2],
  });
  worker.unref();
  channel.port1.unref();
  let job = 0;
  let broken: Error | undefined;
  const failure = (why: string): Error => {
    broken = new Error(
      `conv kernel worker: ${why}; restart the process, or use one thread (initWasmWithThreads(1)).`,
    );
    void worker.terminate();
    return broken;
  };
  return {
    start(args, fn = "filterGradient") {
      if (broken) throw broken;
      if (args.length > CONV_KERNEL_ARGS) {
        throw new Error(`conv kernel worker: at most ${CONV_KERNEL_ARGS} args, got ${args.length}.`);
      }
      ctl.fill(0, ARGS_AT);
      ctl.set(args, ARGS_AT);
      ctl[3] = HELPER_FUNCTIONS.indexOf(fn);
      job++;
      Atomics.store(ctl, 0, job);
      Atomics.notify(ctl, 0);
    },
    wait(timeoutMs) {
      if (broken) throw broken;
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const done = Atomics.load(ctl, 1);
        if (Atomics.load(ctl, 2) !== 0) {
          const message = receiveMessageOnPort(channel.port1)?.message;
          throw failure(`it failed: ${String(message ?? "unknown error")}`);
        }
        if (done === job) return;
        const left = deadline - performance.now();
        if (left <= 0) throw failure(`no answer within ${Math.round(timeoutMs)} ms`);
        Atomics.wait(ctl, 1, done, Math.min(left, 1000));
      }
    },
  };
}

/**
 * One bench configuration, run in its own process (the tfjs backend is global):
 *   tsx --conditions=@sam/source bench/trainStep.ts <baseline|full|tensorflow> <threads> <batch> <steps>
 * Prints one JSON line: { config, threads, batch, images_per_s, step_ms, mean_step_ms }; images/s is
 * from the best timed step (the machine may be shared).
 */
import * as tf from "@tensorflow/tfjs";
import { resnet20Step } from "./resnet20Step";
import "@tensorflow/tfjs-backend-wasm";
import { asTensor } from "../src/internal/asTensor";
import { conv2dBackpropFilter, registerTrainingGradients, registerWasmTrainingKernels } from "../src/index";
import { initWasmWithThreads } from "../src/node/index";

/**
 * The baseline of the measurement (7.6 images/s there): stock wasm plus the one kernel
 * it lacks, the filter gradient in the prototype's forward-convolution form (toolchain study
 * section 2.5). Not this package's im2col kernel, which would make the baseline itself faster.
 */
function registerBaselineFilterGradient(): void {
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) => {
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      return tf.tidy(() => {
        const x = asTensor(inputs.x!) as tf.Tensor4D;
        const dy = asTensor(inputs.dy!) as tf.Tensor4D;
        return conv2dBackpropFilter(x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
      });
    },
  });
}

async function main(): Promise<void> {
  const [config = "full", threadsArg = "1", batchArg = "128", stepsArg = "3"] = process.argv.slice(2);
  const threads = Number(threadsArg);
  const batch = Number(batchArg);
  const steps = Number(stepsArg);
  if (config === "tensorflow") {
    // libtensorflow through tfjs-node (pnpm setup:tfjs-node), with the training gradients, as
    // setupBackend() would set it up
    await import("@tensorflow/tfjs-node" as string);
    registerTrainingGradients();
    if (!(await tf.setBackend("tensorflow")))
      throw new Error("tfjs-node loaded but 'tensorflow' did not start");
  } else {
    if (config === "baseline") registerBaselineFilterGradient();
    else {
      registerWasmTrainingKernels();
      registerTrainingGradients();
    }
    if (threads > 1) await initWasmWithThreads(threads);
    else await tf.setBackend("wasm");
  }
  const step = resnet20Step(batch);
  step(); // warm-up: XNNPACK operator creation, first allocation of every buffer
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  // Best step of N: the machine is shared, and other processes only ever slow a step down.
  const stepMs = Math.min(...times);
  const meanMs = times.reduce((a, b) => a + b, 0) / steps;
  const result = {
    config,
    threads,
    batch,
    images_per_s: (batch * 1000) / stepMs,
    step_ms: stepMs,
    mean_step_ms: meanMs,
  };
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

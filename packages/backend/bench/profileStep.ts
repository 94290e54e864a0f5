/**
 * Self time per kernel of one ResNet-20 training step on wasm (kernels wrapped with timers):
 *   tsx --conditions=@sam/source bench/profileStep.ts <baseline|full> <batch> <steps>
 * Prints a table (ms per step, calls per step) of the best-represented step set.
 */
import * as tf from "@tensorflow/tfjs";
import { resnet20Step } from "./resnet20Step";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingGradients, registerWasmTrainingKernels } from "../src/index";

async function main(): Promise<void> {
  const [config = "full", batchArg = "128", stepsArg = "2"] = process.argv.slice(2);
  const batch = Number(batchArg);
  const steps = Number(stepsArg);
  registerWasmTrainingKernels(config === "baseline" ? { only: ["Conv2DBackpropFilter"] } : {});
  if (config !== "baseline") registerTrainingGradients();
  await tf.setBackend("wasm");
  const self = new Map<string, number>();
  const calls = new Map<string, number>();
  const stack: number[] = [];
  let on = false;
  for (const k of tf.getKernelsForBackend("wasm")) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, "wasm");
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        if (!on) return inner(args);
        stack.push(0);
        const t0 = performance.now();
        const r = inner(args);
        const dt = performance.now() - t0;
        const child = stack.pop()!;
        if (stack.length) stack[stack.length - 1]! += dt;
        const key = k.kernelName;
        self.set(key, (self.get(key) ?? 0) + dt - child);
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return r;
      },
    });
  }
  const step = resnet20Step(batch);
  step();
  on = true;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const total = (performance.now() - t0) / steps;
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]);
  let sum = 0;
  for (const [name, ms] of rows) {
    sum += ms;
    console.log(
      `${name.padEnd(28)} ${(ms / steps).toFixed(1).padStart(8)} ms  ${(calls.get(name)! / steps).toFixed(0).padStart(5)} calls`,
    );
  }
  console.log(
    `kernels ${(sum / steps).toFixed(0)} ms of ${total.toFixed(0)} ms/step; load ${(await import("node:os")).loadavg()[0]!.toFixed(2)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

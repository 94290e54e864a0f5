/**
 * The page's script (bundled by esbuild with TensorFlow.js): `window.samSuite.run(backend)` sets
 * the backend and runs every scenario.
 */
import * as tf from "@tensorflow/tfjs";
import { runScenarios } from "./scenarios";

declare global {
  interface Window {
    samSuite: {
      run(backend: string): Promise<{ backend: string; results: Awaited<ReturnType<typeof runScenarios>> }>;
    };
  }
}

window.samSuite = {
  async run(backend: string) {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);
    await tf.ready();
    return { backend: tf.getBackend(), results: await runScenarios() };
  },
};

import type { GroupedOptimizer } from "@sam/core";
import * as tf from "@tensorflow/tfjs";

/**
 * Runs `steps` optimizer steps with exact gradients from `gradients()` (by variable name,
 * through `applyGradients`) and returns the time averages, over the steps after `burnIn`, of
 * each tensor `observe()` returns (accumulated on the device: no read inside the loop).
 */
export async function sampleChain(
  optimizer: GroupedOptimizer,
  gradients: (step: number) => tf.NamedTensorMap,
  observe: () => Record<string, tf.Tensor>,
  steps: number,
  burnIn: number,
): Promise<Record<string, Float32Array>> {
  const sums = new Map<string, tf.Variable>();
  for (let n = 0; n < steps; n++) {
    tf.tidy(() => optimizer.applyGradients(gradients(n)));
    if (n < burnIn) continue;
    tf.tidy(() => {
      const seen = observe();
      for (const [k, v] of Object.entries(seen)) {
        if (!sums.has(k)) sums.set(k, tf.variable(tf.zerosLike(v)));
        sums.get(k)!.assign(tf.add(sums.get(k)!, v));
      }
    });
  }
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of sums) {
    out[k] = (await tf.div(v, steps - burnIn).data()) as Float32Array;
    v.dispose();
  }
  return out;
}

/** Mean of `values[i]` over the entries i with `i % period === j`, for j = 0..period-1. */
export function meanByColumn(values: Float32Array, period: number): number[] {
  const sums = new Array<number>(period).fill(0);
  values.forEach((v, i) => {
    sums[i % period]! += v;
  });
  return sums.map((s) => s / (values.length / period));
}

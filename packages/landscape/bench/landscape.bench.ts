/**
 * `pnpm bench:landscape`: the cost of Hessian tools on ResNet-20, measured in one run as
 * ratios to one gradient evaluation (so the figures carry across machines):
 * - `hvp_over_grad`: one finite-difference Hessian-vector product over one gradient
 *   evaluation (the ideal is 2: two gradients; readback and perturbation add a little);
 * - `power_iteration_20_in_grad_evals`: 20 power iterations, in gradient evaluations.
 * Backend: the project's default, `setupBackend()` of @sam/backend (a devDependency: the
 * bench only), i.e. wasm with its training kernels when tfjs-node is absent; cpu gets a
 * smaller batch. The last line printed is JSON.
 */
import { setupBackend } from "@sam/backend";
import { collectParams, createRng } from "@sam/core";
import { cifarResNet } from "@sam/models";
import * as tf from "@tensorflow/tfjs";
import { modelLoss } from "../src/evaluation/modelLoss";
import { recomputeBatchNormStats } from "../src/evaluation/recomputeBatchNormStats";
import { hessianOperator } from "../src/hessian/hessianOperator";
import { gradientsOf } from "../src/hessian/hessianVectorProduct";
import { powerIteration } from "../src/hessian/powerIteration";

async function chooseBackend(): Promise<{ backend: string; why: string }> {
  const choice = await setupBackend();
  return { backend: choice.backend, why: `setupBackend: ${choice.reason}` };
}

/** Best of N: the least disturbed run (other processes share the cores). */
const best = (xs: number[]) => Math.min(...xs);

async function main() {
  const { backend, why } = await chooseBackend();
  const batch = Number(process.env.BENCH_BATCH ?? (backend === "cpu" ? 4 : 16));
  const repeats = Number(process.env.BENCH_REPEATS ?? 7);
  console.log(`backend ${backend} (${why}); ResNet-20, batch ${batch}, 32x32x3, ${repeats} repeats`);
  const model = cifarResNet({ depth: 20, numClasses: 10, seed: 1 });
  const params = collectParams(model);
  const rng = createRng(3);
  const x = tf.tensor4d(Float32Array.from(rng.normalVector(batch * 32 * 32 * 3)), [batch, 32, 32, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), "int32"), 10));
  // Moving statistics of these weights (not the initial 0/1), so the loss is the network's.
  recomputeBatchNormStats(model, x);
  const lossFn = modelLoss(model, x, y, "softmaxCrossEntropy");
  const op = hessianOperator(params, lossFn);
  console.log(`parameters: ${op.dim}`);

  // One gradient evaluation, read back the same way an HVP is (flattened to one array).
  const gradient = () => {
    const flat = tf.tidy(() => tf.concat(gradientsOf(params.params, lossFn).map((g) => tf.reshape(g, [-1]))));
    flat.dataSync();
    flat.dispose();
  };
  const v = rng.normalVector(op.dim);
  gradient(); // warm-up: kernels, weights, wasm memory
  op.apply(v);
  const grads: number[] = [];
  const hvps: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    gradient();
    grads.push(performance.now() - t);
    t = performance.now();
    op.apply(v);
    hvps.push(performance.now() - t);
  }
  const gradMs = best(grads);
  const hvpMs = best(hvps);
  console.log(`gradient ${gradMs.toFixed(1)} ms, HVP ${hvpMs.toFixed(1)} ms (best of ${repeats})`);
  const t0 = performance.now();
  const power = await powerIteration(op, { maxIter: 20, tol: 0 });
  const powerMs = performance.now() - t0;
  console.log(`20 power iterations: ${(powerMs / 1000).toFixed(2)} s, lambda_max ~ ${power.values[0]!.toFixed(3)}`);
  op.dispose();
  tf.dispose([x, y]);
  model.dispose();
  const result = {
    bench: "landscape",
    backend,
    model: "cifarResNet(depth 20)",
    parameters: op.dim,
    batch,
    grad_ms: Number(gradMs.toFixed(2)),
    hvp_ms: Number(hvpMs.toFixed(2)),
    hvp_over_grad: Number((hvpMs / gradMs).toFixed(3)),
    power_iteration_20_ms: Number(powerMs.toFixed(1)),
    power_iteration_20_in_grad_evals: Number((powerMs / gradMs).toFixed(2)),
    lambda_max_after_20: Number(power.values[0]!.toFixed(4)),
  };
  console.log(JSON.stringify(result));
}

await main();

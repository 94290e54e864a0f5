/**
 * Spec section G.2 (Dai, Ahn & Sra 2023): on L(x, y) = (xy - 1)^2 / 2 the minimisers form
 * the hyperbola xy = 1, where the sharpness (top Hessian eigenvalue) is x^2 + y^2, flattest
 * (2) at (1, 1). From (3, 0.1) with lr = 0.05 and rho = 0.1, SAM (perturbation rho g / ||g||)
 * keeps a perturbation of length rho on the manifold and slides to (1, 1); USAM
 * (perturbation rho g, which vanishes on the manifold) and GD stop near sharpness 9.
 * The optimizers are @sam/core's `sam`, `usam` and the grouped optimizer with `sgd`; the
 * final sharpness is measured with this package's Hessian tools.
 */
import { fromVariables, GroupedOptimizer, sam, sgd, usam } from "@sam/core";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { hessianOperator } from "../hessian/hessianOperator";
import { lanczos } from "../hessian/lanczos";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function run(method: "gd" | "sam" | "usam", steps: number) {
  const w = tf.variable(tf.tensor1d([3, 0.1]));
  const params = fromVariables({ w });
  const loss = () => tf.tidy(() => tf.mul(0.5, tf.square(tf.sub(tf.prod(w), 1))).reshape([]) as tf.Scalar);
  const options = { params, rule: sgd(), defaults: { lr: 0.05 } };
  const optimizer =
    method === "sam"
      ? sam({ ...options, rho: 0.1 })
      : method === "usam"
        ? usam({ ...options, rho: 0.1 })
        : new GroupedOptimizer(options);
  for (let i = 0; i < steps; i++) optimizer.minimize(loss);
  const op = hessianOperator(params, loss);
  const { values } = await lanczos(op, { steps: 2 });
  op.dispose();
  const [x, y] = Array.from(w.dataSync());
  optimizer.dispose();
  w.dispose();
  return { x: x!, y: y!, sharpness: values[0]! };
}

describe("SAM drifts along the minimiser manifold; USAM and GD do not (experiment)", () => {
  it("SAM reaches sharpness ~2 at (1, 1); USAM and GD stop near 9", async () => {
    const steps = 10_000;
    const s = await run("sam", steps);
    expect(s.sharpness).toBeGreaterThan(1.9);
    expect(s.sharpness).toBeLessThan(2.1);
    expect(s.x).toBeCloseTo(1, 1);
    expect(s.y).toBeCloseTo(1, 1);
    const u = await run("usam", steps);
    const g = await run("gd", steps);
    for (const r of [u, g]) {
      expect(r.sharpness).toBeGreaterThan(8);
      expect(r.sharpness).toBeLessThan(10);
      expect(r.x * r.y).toBeCloseTo(1, 2); // on the manifold
    }
  }, 300_000); // 3 x 10,000 steps: about 25 s alone, minutes on a loaded machine
});

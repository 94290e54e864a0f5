import * as tf from "@tensorflow/tfjs";

/**
 * Two interleaved half-moons in 2-D with Gaussian noise, labels one-hot over 2 classes,
 * drawn from a seeded generator (no download, no backend randomness).
 */
export function makeData(n: number, seed: number) {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const angle = Math.PI * uniform();
    points[2 * i] = (label ? 1 - Math.cos(angle) : Math.cos(angle)) + 0.1 * normal();
    points[2 * i + 1] = (label ? 0.5 - Math.sin(angle) : Math.sin(angle)) + 0.1 * normal();
    labels[i] = label;
  }
  return tf.tidy(() => ({ x: tf.tensor2d(points, [n, 2]), y: tf.oneHot(tf.tensor1d(labels, "int32"), 2) }));
}

/** A 2-32-32-2 tanh MLP with stable layer names, seeded. */
export function makeModel(seed: number) {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 10 + k });
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, inputShape: [2], activation: "tanh", name: "fc1", kernelInitializer: init(1) }),
      tf.layers.dense({ units: 32, activation: "tanh", name: "fc2", kernelInitializer: init(2) }),
      tf.layers.dense({ units: 2, name: "head", kernelInitializer: init(3) }),
    ],
  });
}
